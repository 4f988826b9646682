# nginx (Debian's package) for the reverse-proxy tests (tests/deploy/): each test writes its
# own nginx.conf on loopback and starts nginx itself; this only says which binary to use.
CROSSFADE_TEST_NGINX=$(command -v nginx || echo /usr/sbin/nginx)
export CROSSFADE_TEST_NGINX
echo "== nginx for the reverse-proxy tests: $CROSSFADE_TEST_NGINX"
