"""Home Assistant as a device (MQTT discovery) and the integration settings it shares with
the Apprise notifications."""
