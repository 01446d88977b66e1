#!/bin/sh
# A transcriber that fails, as whisper.cpp does without its model.
echo "error: failed to open model ggml-small.bin" >&2
exit 3
