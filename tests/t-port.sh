#!/bin/sh
# prove's runner of each test file (tests/run-suite.sh: prove --exec):
# the file runs with its nginx's port below the kernel's ephemeral range,
# held while it runs (t/PaPort.pm says why).  Test::Nginx runs unchanged,
# its port and server root given by TEST_NGINX_PORT and
# TEST_NGINX_SERVROOT.
#
#   tests/t-port.sh FILE.t

exec perl -I. -Mt::PaPort -e 'exit t::PaPort::run($ARGV[0])' "$1"
