#!/usr/bin/env bash
# Runs the whole test suite, with a virtual PulseAudio microphone for the real-microphone tests.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${COMPANION_VENV:-.venv}"

started=""
if [ -x scripts/virtual_mic.sh ] && command -v pulseaudio >/dev/null 2>&1; then
  if exports=$(bash scripts/virtual_mic.sh start); then
    eval "$exports"
    started=1
  else
    echo "test: the virtual microphone did not start; its tests will skip" >&2
  fi
fi
cleanup() { [ -n "$started" ] && bash scripts/virtual_mic.sh stop >/dev/null 2>&1 || true; }
trap cleanup EXIT

"$VENV/bin/python" -m pytest "$@"
