package t::PaTest;

# What every suite under t/ shares, so that no suite carries a copy:
#
#   %T, tokens(), jwt()    staff tokens signed with t/keys/auth.key
#   pa_token()             a token made by bin/pa-token itself
#   redis(), fresh()       redis-cli without a shell; a tenant emptied
#   traces()               the keys that still name a report
#   slurp(), $Fix          a file's bytes; the media fixtures
#   multipart(), form()    multipart bodies ($Multipart is their header)
#   api(), setting()       the API's locations; the suite's default
#                          sections, blocks in file order
#   submit_http(), workflow_http(), queue_http(), media_http(),
#   originals()
#                          the settings several suites share
#   $Threads, $Pool        main_config and http{} line of a thread pool
#                          for the media work (pa_thread_pool)
#   h(), act()             on request: a request's headers, an action
#
# A suite says:
#
#   use Test::Nginx::Socket 'no_plan';
#   use lib '.';
#   use t::PaTest;
#
#   setting(http_config => <<'_EOC_');
#       pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
#       ...
#   _EOC_
#   run_tests();
#
# The blocks' "eval" sections run in package Test::Base::Filter (whose
# join, eval, lines... would shadow ours): they say main::redis(),
# ::multipart(), $::T{ioc}, CORE::join().  The lifecycle suites use
# t/PaLife.pm, which builds on this module.

use strict;
use warnings;

use Digest::SHA qw(hmac_sha256);
use MIME::Base64 qw(encode_base64);
use File::Temp qw(tempdir);
use IO::Socket::INET;
use JSON::PP;
use POSIX ();
use Time::HiRes ();
use Exporter 'import';
use t::PaPort ();

our @EXPORT = qw(%T $Fix $Data $Boundary $Multipart $Threads $Pool tokens
                 originals media_http queue_http workflow_http
                 jwt sign pa_token redis fresh slurp multipart form api
                 submit_http setting traces redis_raw record_dump
                 with_metrics);
our @EXPORT_OK = qw(h act);

our $ROOT = $ENV{TEST_NGINX_ROOT} // die "TEST_NGINX_ROOT is not set\n";

# The media work off the event loop, as dev.conf and production.conf
# have it: a suite that takes it says main_config => $Threads and adds
# $Pool to its http_config.  The suites that do not (t/150-open311.t,
# t/010-submit-json.t, ...) keep the inline path covered.
our $Threads = "thread_pool pa threads=4;\n";
our $Pool = "    pa_thread_pool pa;\n";

# The file's own folder, outside nginx's server root: Test::Nginx empties
# that root between blocks and refuses to remove one that holds anything
# of ours, so media stores and whatever a suite keeps across blocks live
# here ($TEST_NGINX_PA_DATA in a config).  Removed when the file ends.
our $Data = $ENV{TEST_NGINX_PA_DATA} =
    tempdir('pa-t-XXXXXX', TMPDIR => 1, CLEANUP => 1);

# The file's own throw-away Redis on a free port ($TEST_NGINX_REDIS_PORT
# in a config): files run side by side never see each other's keys.  A
# port of a server a test starts: below the ephemeral range, this file's
# alone (t/PaPort.pm)
sub free_port { t::PaPort::hold() }

our $RedisPid;

sub start_redis {
    my $port = free_port();
    mkdir "$Data/redis";
    $RedisPid = fork // die "fork: $!";
    if ($RedisPid == 0) {
        open STDOUT, '>', '/dev/null';
        { exec 'redis-server', '--bind', '127.0.0.1', '--port', $port,
             '--dir', "$Data/redis", '--save', '', '--appendonly', 'no',
             '--logfile', "$Data/redis/redis.log"; }
        POSIX::_exit(127);
    }
    for (1 .. 100) {
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                      PeerPort => $port);
        if ($s) {
            close $s;
            return $ENV{TEST_NGINX_REDIS_PORT} = $port;
        }
        Time::HiRes::sleep(0.02);
    }
    die "redis-server did not start on port $port\n";
}

start_redis();

# Test::Nginx starts nginx as a daemon, so once stopped it is an orphan
# that only the machine's init reaps, and Test::Nginx waits until it is
# gone (kill 0): up to seconds a block where init reaps slowly.  As the
# orphans' reaper (prctl PR_SET_CHILD_SUBREAPER) this process takes them
# in Test::Nginx's own waitpid at once.  Linux only; elsewhere a no-op.
eval {
    require 'syscall.ph';
    syscall(&SYS_prctl, 36, 1, 0, 0, 0);
};

END {
    if ($RedisPid) {
        kill 'TERM', $RedisPid;
        waitpid $RedisPid, 0;
    }
}

# the media files tests/fixtures/make-media.sh makes
our $Fix = $ENV{TEST_NGINX_FIXTURES} || 'build/fixtures';

our $Boundary = 'XpaTestBoundary7MA4YWxkTrZu0gW';
our $Multipart = "Content-Type: multipart/form-data; boundary=$Boundary";

sub slurp {
    my $path = shift;
    open my $fh, '<:raw', $path or die "cannot read $path: $!";
    local $/;
    return <$fh>;
}

sub b64u {
    my $s = encode_base64(shift, '');
    $s =~ tr{+/}{-_};
    $s =~ s/=+\z//;
    return $s;
}

# a staff (or signed-in reporter) token signed with t/keys/auth.key, as
# bin/pa-token does
sub jwt {
    my ($role, $agency) = @_;
    my %c = (sub => "$role-" . ($agency // 'user'), role => $role,
             exp => 4102444800);
    $c{agency} = $agency if defined $agency;
    return sign(\%c);
}

# any claims, signed with t/keys/auth.key
sub sign {
    my $c = shift;
    my $key = slurp("$ROOT/t/keys/auth.key");
    $key =~ s/[\r\n]+\z//;
    my $h = b64u('{"alg":"HS256","typ":"JWT"}');
    my $p = b64u(JSON::PP->new->canonical->encode($c));
    return "$h.$p." . b64u(hmac_sha256("$h.$p", $key));
}

# a token made by bin/pa-token itself, from its command line
sub pa_token {
    my $args = shift;
    my $t = `$ROOT/bin/pa-token --secret-file $ROOT/t/keys/auth.key $args`;
    chomp $t;
    return $t;
}

# The suite's callers: a name -> its token.  The staff of the Lai Châu
# directory (conf-examples/directory/laichau.json) to begin with;
# tokens(name => [role, agency], ...) adds or replaces names.
our %T;

sub tokens {
    my %who = @_;
    $T{$_} = jwt(@{ $who{$_} }) for keys %who;
}

tokens(ioc        => ['ioc'],
       supervisor => ['supervisor'],
       admin      => ['admin'],
       xd         => ['handler', 'so-xd'],
       ward       => ['handler', 'phuong-tan-phong'],
       nnmt       => ['handler', 'so-nnmt'],
       leader     => ['leader', 'so-xd'],
       coord      => ['coordinator', 'so-nnmt']);

# the address the suite's Redis listens on (t/210's is in a network
# namespace of its own)
our $RedisHost = '127.0.0.1';

# redis-cli without a shell: arguments go as they are; the answer as
# redis-cli prints it, without its last newline
sub redis {
    open my $p, '-|', 'redis-cli', '-h', $RedisHost,
                     '-p', $ENV{TEST_NGINX_REDIS_PORT}, @_
        or die "redis-cli: $!";
    local $/;
    my $out = <$p> // '';
    close $p;
    $out =~ s/\n\z//;
    return $out;
}

# A command with binary-safe arguments and answer (RESP on a socket):
# redis-cli's arguments cannot hold a NUL.  Bulk and simple answers as
# strings, an error as "ERR..." text, an array as an array reference.
sub redis_raw {
    my $s = IO::Socket::INET->new(PeerAddr => $RedisHost,
                                  PeerPort => $ENV{TEST_NGINX_REDIS_PORT})
        or die "redis: $!";
    binmode $s;
    my $req = '*' . scalar(@_) . "\r\n";
    $req .= '$' . length($_) . "\r\n$_\r\n" for @_;
    print $s $req;
    my $answer = _resp($s);
    close $s;
    return $answer;
}

sub _resp {
    my $s = shift;
    my $line = <$s>;
    defined $line or die "redis: no answer\n";
    $line =~ s/\r\n\z//;
    my ($t, $v) = (substr($line, 0, 1), substr($line, 1));
    return $v if $t eq '+' || $t eq '-' || $t eq ':';
    if ($t eq '$') {
        return undef if $v < 0;
        my $buf = '';
        read($s, $buf, $v + 2) == $v + 2 or die "redis: short answer\n";
        return substr($buf, 0, $v);
    }
    return [map { _resp($s) } 1 .. $v] if $t eq '*';
    die "redis: answer '$line'\n";
}

# The DUMP payload of a hash of these pairs as Redis makes it (HSET in
# this order, uncompressed): what the worker sends submit.lua as a
# record (ngx_pa_submit_record.h)
sub record_dump {
    my $key = "pa:{t_record_dump}:tmp";
    my $was = redis_raw('CONFIG', 'GET', 'rdbcompression')->[1];
    redis_raw('DEL', $key);
    redis_raw('HSET', $key, @_);
    redis_raw('CONFIG', 'SET', 'rdbcompression', 'no');
    my $dump = redis_raw('DUMP', $key);
    redis_raw('CONFIG', 'SET', 'rdbcompression', $was);
    redis_raw('DEL', $key);
    return $dump;
}

# a tenant without keys: a suite may run again against the same Redis
sub fresh {
    my $tenant = shift;
    redis('EVAL', "for _, k in ipairs(redis.call('KEYS', ARGV[1])) do "
          . "redis.call('DEL', k) end", '0', "pa:{$tenant}:*");
}

# A multipart/form-data body for $Multipart: [name => value] text parts,
# [name, file, type] a file of $Fix, [name, filename, type, bytes] a file
# made by the test.
sub multipart {
    my $body = '';
    for my $p (@_) {
        my ($name, $value, $type, $bytes) = @$p;
        $body .= "--$Boundary\r\n"
                 . "Content-Disposition: form-data; name=\"$name\"";
        if (@$p == 2) {
            $body .= "\r\n\r\n$value\r\n";
            next;
        }
        $bytes //= slurp("$Fix/$value");
        $body .= "; filename=\"$value\"\r\nContent-Type: $type\r\n\r\n"
                 . "$bytes\r\n";
    }
    return "$body--$Boundary--";
}

# POST /api/v1/reports as a form; each report's content is made unique
# (" #N"), or the duplicate check would answer
our $N = 0;

sub form {
    my @parts;
    for my $p (@_) {
        push @parts, @$p == 2 && $p->[0] eq 'content'
                     ? [$p->[0], "$p->[1] #" . ++$N] : $p;
    }
    return "POST /api/v1/reports\n" . multipart(@parts);
}

# headers of one request: who (a name of %T, "r:<token>" for a
# reporter's access token, "" for nobody) and when
sub h {
    my ($who, $now) = @_;
    my @h = ("Content-Type: application/json");
    push @h, "X-PA-Now: $now" if $now;
    if ($who =~ /^r:(.+)$/) {
        push @h, "X-Report-Token: $1";
    } elsif ($who ne '') {
        my $t = $T{$who} // die "no token named \"$who\"\n";
        push @h, "Authorization: Bearer $t";
    }
    return join "\n", @h;
}

# an action on a report
sub act {
    my ($id, %f) = @_;
    return "POST /api/v1/reports/$id/actions\n"
           . JSON::PP->new->canonical->encode(\%f);
}

# The keys of $tenant that name report $id, as a space-separated sorted
# list (t/175, t/176: what a removal must leave nothing of): its own, an
# index's member, a token's or a duplicate print's value, a hash's value
sub traces {
    my ($tenant, $id) = @_;
    return redis('EVAL', <<'_LUA_', '0', "pa:{$tenant}:*", $id);
local out = {}
for _, k in ipairs(redis.call('KEYS', ARGV[1])) do
    local t = redis.call('TYPE', k).ok
    if string.find(k, ARGV[2], 1, true)
        or (t == 'zset' and redis.call('ZSCORE', k, ARGV[2]))
        or (t == 'string' and redis.call('GET', k) == ARGV[2]) then
        out[#out + 1] = k
    elseif t == 'hash' then
        for _, v in ipairs(redis.call('HVALS', k)) do
            if v == ARGV[2] then
                out[#out + 1] = k
            end
        end
    end
end
table.sort(out)
return table.concat(out, ' ')
_LUA_
}

# The http{} settings of the JSON submission suites (t/010, t/055): the
# test profile, a 1-day verification and the test clock, in the suite's
# own tenant
sub submit_http {
    my $tenant = shift;
    return <<"_EOC_";
    pa_redis 127.0.0.1:\$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts \$TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir \$TEST_NGINX_PA_DATA/media;
    pa_tenant $tenant;
    pa_profile test-profile;
    pa_auth_secret_file \$TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file \$TEST_NGINX_ROOT/t/keys/pii.key;
    pa_sla verify 1d;
    pa_test_clock on;
_EOC_
}

# The http{} settings of the suites that take reports through the
# workflow (t/026, t/030, t/050, t/060, t/095, t/187): the directory's
# agencies, a working day for each step (five to resolve) and the test
# clock, in the suite's own tenant and profile, @more lines after them.
# queue_http(), of the work-list suites (t/040, t/041, t/042): the same
# with urgent reports' steps in an hour, and a day to reply to a comment.
sub workflow_http {
    my ($tenant, $profile, @more) = @_;
    return steps_http($tenant, $profile, '', @more);
}

sub queue_http {
    my ($tenant, $profile, @more) = @_;
    return steps_http($tenant, $profile, ' urgent=1h', 'pa_sla reply 1d;',
                      @more);
}

sub steps_http {
    my ($tenant, $profile, $urgent, @more) = @_;
    my @sla = map { "pa_sla $_$urgent;" } 'verify 1d', 'receive 1d',
              'dispatch 1d', 'accept 1d', 'resolve 5d', 'publish 1d';
    my $head = <<"_EOC_";
    pa_redis 127.0.0.1:\$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts \$TEST_NGINX_ROOT/redis-scripts;
    pa_tenant $tenant;
    pa_profile $profile;
    pa_auth_secret_file \$TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file \$TEST_NGINX_ROOT/t/keys/pii.key;
    pa_directory \$TEST_NGINX_ROOT/conf-examples/directory/laichau.json;
    pa_media_dir \$TEST_NGINX_PA_DATA/media;
_EOC_
    return $head . join '', map { "    $_\n" } @sla, @more,
                                                  'pa_test_clock on;';
}

# The settings of the thumbnail suites (t/071, t/075, t/077): the
# originals' internal location (config) and the http{} of a media store
# with the thread pool, in the suite's own tenant, @more lines after it
sub originals {
    return <<'_EOC_';
    location /pa-media-original/ {
        internal;
        alias $TEST_NGINX_PA_DATA/media/;
    }
_EOC_
}

sub media_http {
    my ($tenant, @more) = @_;
    return $Pool . <<"_EOC_" . join '', map { "    $_\n" } @more;
    pa_redis 127.0.0.1:\$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts \$TEST_NGINX_ROOT/redis-scripts;
    pa_tenant $tenant;
    pa_auth_secret_file \$TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file \$TEST_NGINX_ROOT/t/keys/pii.key;
    pa_media_dir \$TEST_NGINX_PA_DATA/media;
    pa_test_clock on;
_EOC_
}

# the API under /api/v1/, the errors nginx answers itself (@codes, or
# the usual ones) in the API's JSON
sub api {
    my $codes = join ' ', @_ ? @_ : qw(400 404 405 413 415 500 503);
    return <<"_EOC_";
    location /api/v1/ {
        pa_api;
        error_page $codes \@pa_error;
    }
    location \@pa_error { pa_error; }
_EOC_
}

# The API and GET /metrics as every block's config but a block's own
# (t/065, t/066); called after life() or setting(), whose preprocessor it
# then runs before (the last one added runs first)
sub with_metrics {
    my $conf = api() . <<'_EOC_';
    location = /metrics {
        pa_metrics;
    }
_EOC_
    Test::Nginx::Socket::add_block_preprocessor(sub {
        my $block = shift;
        $block->set_value('config', $conf) unless defined $block->config;
    });
}

# Every block fails on an [alert], [crit] or [emerg] in error.log, as
# nginx modules' suites do: a worker that crashed, a leaked socket or a
# refused configuration never passes unseen.  A block's own no_error_log
# patterns are kept; a must_die block expects its [emerg]; a block whose
# name matches setting()'s crit_ok expects a [crit] (a fault it injects,
# a full disk: it checks that line itself).
sub no_alert {
    my ($block, $crit_ok) = @_;
    my $own = $block->no_error_log;
    my @pats = !defined $own ? ()
             : ref $own eq 'ARRAY' ? @$own
             : ref $own ? ($own)
             : grep { length } split /\n+/, $own;
    push @pats, '[alert]';
    push @pats, '[crit]' unless $crit_ok && $block->name =~ $crit_ok;
    push @pats, '[emerg]' unless defined $block->must_die;
    $block->set_value('no_error_log', \@pats);
}

# Test::Nginx checks response_body_unlike only when a block has no
# response_body_like (or response_body): with both, the unlike was skipped
# without a word, and privacy checks such as "no phone in this answer"
# never ran.  This runs it in that case, as its own test.
Test::Nginx::Socket::add_response_body_check(sub {
    my ($block, $body, $req_idx, $repeated_req_idx, $dry_run) = @_;
    my $un = $block->response_body_unlike;

    return if $dry_run || !defined $un || !defined $body;
    return unless defined $block->response_body_like
                  || defined $block->response_body;

    my $pat = ref $un eq 'ARRAY' ? $un->[$req_idx] : $un;
    return unless defined $pat && length $pat;

    Test::More::unlike($body, qr/$pat/s,
                       $block->name . " - response_body_unlike (beside a"
                       . " like) - req $req_idx");
});

# The suite's setting: the sections every block gets unless it has its
# own (config: api() if not given), blocks in file order, no "location /"
# of Test::Nginx's.  prepare => sub { my $block = shift; ... } runs first
# for what the suite does of its own; the blocks whose name matches
# except => qr/.../ get nothing (no config: they keep the nginx before).
sub setting {
    my %default = @_;
    my $prepare = delete $default{prepare};
    my $except = delete $default{except};
    my $crit_ok = delete $default{crit_ok};
    $default{config} //= api();

    Test::Nginx::Socket::add_block_preprocessor(sub {
        my $block = shift;
        $prepare->($block) if $prepare;
        no_alert($block, $crit_ok);
        return if $except && $block->name =~ $except;
        for my $s (sort keys %default) {
            $block->set_value($s, $default{$s}) unless defined $block->$s;
        }
    });

    Test::Nginx::Socket::no_shuffle();
    Test::Nginx::Socket::no_root_location();
}

1;
