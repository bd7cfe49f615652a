package t::PaAccept;

# The acceptance suites (t/200-acceptance-*.t): nginx runs a profile of
# conf-examples/profiles/ exactly as shipped -- the http{} block includes
# the file itself, so its ../ names resolve beside it and a profile that
# lists one media type where it means ten cannot pass -- and the blocks
# submit real media made at test time by tests/fixtures/make-media.sh
# (ffmpeg, exiftool, ImageMagick).  The fixtures' photos and videos were
# taken 2026-01-22 08:00 (+07:00); "now" is two hours later unless a block
# says otherwise.  A suite says:
#
#   use Test::Nginx::Socket 'no_plan';
#   use lib '.';
#   use t::PaAccept;
#
#   shipped('laichau-2026', 'laichau');
#   run_tests();
#
# Blocks build a submission with ::report(parts...): the reporter's name
# and phone, a unique content, and the parts given ([name => value] or
# [name, fixture file, type]).

use strict;
use warnings;

use t::PaTest;
use Exporter 'import';

our @EXPORT = (@t::PaTest::EXPORT,
               qw(shipped shipped_http report $Now $Headers));

our $Now = 'X-PA-Now: 2026-01-22T10:00:00+07:00';
our $Headers;

# the profile as shipped, plus what a deployment adds in nginx.conf (the
# store, the keys) and the test clock; $auth: headers every request
# carries (a reporter's sign-in where the profile requires it)
sub shipped {
    my ($name, $tenant, $auth) = @_;
    my $root = $ENV{TEST_NGINX_ROOT};
    -f "$root/conf-examples/profiles/$name.conf"
        or die "no profile $name\n";
    fresh($tenant);
    $Headers = "$Multipart\n$Now" . ($auth ? "\n$auth" : '');
    setting(more_headers => $Headers, main_config => $Threads,
            http_config => shipped_http($name));
}

# the http{} lines of profile $name as shipped, on this file's Redis, keys
# and media folders, with the test clock; $more lines after them
sub shipped_http {
    my ($name, $more) = @_;
    return $Pool . <<"_EOC_" . ($more // '');
    include \$TEST_NGINX_ROOT/conf-examples/profiles/$name.conf;
    pa_redis 127.0.0.1:\$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts \$TEST_NGINX_ROOT/redis-scripts;
    pa_auth_secret_file \$TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file \$TEST_NGINX_ROOT/t/keys/pii.key;
    pa_media_dir \$TEST_NGINX_PA_DATA/media;
    pa_archive_dir \$TEST_NGINX_PA_DATA/archive;
    pa_test_clock on;
_EOC_
}

# a submission: each its own phone, so no duplicate rule is in the way
our $Phone = 0;

sub report {
    return form(['content', 'Ổ gà sâu giữa đường, xe máy dễ ngã'],
                ['reporter_name', 'Lò Văn Minh'],
                ['reporter_phone', sprintf('09123%05d', ++$Phone)], @_);
}

1;
