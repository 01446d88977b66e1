#!/bin/sh
# A transcriber that prints its environment: the bot's secrets must not
# be in it.
env | tr '\n' ' '
