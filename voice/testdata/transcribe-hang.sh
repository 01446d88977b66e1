#!/bin/sh
# A transcriber that never ends: it starts a child that outlives it unless
# its whole process group is killed, writes the child's pid next to the
# file and waits.
sleep 300 &
echo $! > "$1.pid"
wait
