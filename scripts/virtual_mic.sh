#!/usr/bin/env bash
# A PulseAudio virtual microphone for tests and demos, needing no sound card.
#   start  start a private daemon; prints the `export` lines its clients need (eval them)
#   stop   stop it
#   status exit 0 when it is running
# Whatever is played into the sink "companion_mic_in" (paplay --device=companion_mic_in x.wav)
# is what the default source, "companion_mic", hears. Speech output goes to a null sink.
set -euo pipefail
DIR="${COMPANION_VMIC_DIR:-${TMPDIR:-/tmp}/companion-vmic-$(id -u)}"
SOCKET="$DIR/native"
export PULSE_RUNTIME_PATH="$DIR/runtime" PULSE_STATE_PATH="$DIR/state"
export PULSE_SERVER="unix:$SOCKET"

running() { pactl info >/dev/null 2>&1; }

write_config() {
  mkdir -p "$DIR/runtime" "$DIR/state" && chmod 700 "$DIR" "$DIR/runtime"
  # A fixed 16 kHz rate: otherwise the daemon switches rates between clients and drops audio.
  cat >"$DIR/daemon.conf" <<CONF
default-sample-rate = 16000
alternate-sample-rate = 16000
default-sample-channels = 1
avoid-resampling = yes
exit-idle-time = -1
flat-volumes = no
CONF
  cat >"$DIR/default.pa" <<CONF
load-module module-native-protocol-unix auth-anonymous=1 socket=$SOCKET
load-module module-null-sink sink_name=companion_mic_in rate=16000 channels=1 sink_properties=device.description=companion-mic-in
load-module module-remap-source master=companion_mic_in.monitor rate=16000 channels=1 source_name=companion_mic source_properties=device.description=companion-virtual-mic
load-module module-null-sink sink_name=companion_speakers rate=16000 channels=1 sink_properties=device.description=companion-speakers
set-default-source companion_mic
set-default-sink companion_speakers
CONF
}

start() {
  command -v pulseaudio >/dev/null || {
    echo "virtual_mic: pulseaudio is not installed (apt-get install pulseaudio pulseaudio-utils libasound2-plugins)" >&2
    exit 1
  }
  if ! running; then
    write_config
    # -n: no system default.pa; running as root only earns a warning in this user-mode daemon.
    PULSE_CONFIG="$DIR/daemon.conf" pulseaudio --daemonize=yes --system=no --exit-idle-time=-1 --use-pid-file=yes \
      -n -F "$DIR/default.pa" --log-target="file:$DIR/pulseaudio.log" >/dev/null 2>&1 || true
    for _ in $(seq 50); do running && break; sleep 0.1; done
    running || { echo "virtual_mic: pulseaudio did not start; see $DIR/pulseaudio.log" >&2; exit 1; }
  fi
  echo "export PULSE_SERVER='unix:$SOCKET'"
  echo "export PULSE_RUNTIME_PATH='$DIR/runtime'"
  echo "export COMPANION_VMIC_SINK='companion_mic_in'"
}

stop() {
  if running; then pulseaudio --kill >/dev/null 2>&1 || true; fi
  if [ -f "$DIR/runtime/pid" ]; then
    pid=$(cat "$DIR/runtime/pid" 2>/dev/null || true)
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  fi
  for _ in $(seq 30); do running || break; sleep 0.1; done
  rm -rf "$DIR"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) running ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
