# MQTT broker for the Home Assistant tests (tests/services/homeassistant/). The tests start
# their own mosquitto on a free loopback port from this binary (so a test can stop and restart
# its broker); here we only check the binary runs and export its path.
mosquitto_bin=$(command -v mosquitto || echo /usr/sbin/mosquitto)
if [ -x "$mosquitto_bin" ]; then
  echo "== mosquitto for MQTT tests: $mosquitto_bin"
  export CROSSFADE_TEST_MOSQUITTO="$mosquitto_bin"
fi
