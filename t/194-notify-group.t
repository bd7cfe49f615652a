# The webhook deliverer's consumer group over time: entries a stopped
# node left pending are claimed in batches, not one every half second
# (200 of them arrive within the minute after pa_notify_claim_idle); the
# consumers restarts leave behind, with nothing pending, are removed
# (XGROUP DELCONSUMER) while the live one stays; events the stream's
# MAXLEN trimmed before the group read them are not lost silently: they
# are counted in /metrics and logged at warn, once.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest qw(:DEFAULT h);
use t::PaHook;
use Time::HiRes ();

$Test::Nginx::Util::ForceRestartOnTest = 0;

our $D = $t::PaTest::Data;
our $Port = t::PaTest::free_port();
our $Key = hook_key('group-hook-secret-0123456789abcdef');
our $Log = "$D/hook.jsonl";
our $S = 'pa:{t_grp}:events';
our $G = 'notify:hook';

receiver($Port, $Key, $Log);

# the receiver's log: one hash per delivery (how many, in scalar context)
sub main::got { return deliveries($Log) }

# the deliveries of reports whose id starts with $prefix
sub main::of {
    my $prefix = shift;
    my @d = grep { ($_->{json}{id} // '') =~ /^\Q$prefix\E/ } main::got();
    return wantarray ? @d : scalar @d;
}

# the group's consumers: name => pending
sub main::consumers {
    my @f = split /\n/, main::redis('XINFO', 'CONSUMERS', $S, $G);
    my (%c, $name);
    while (my ($k, $v) = splice @f, 0, 2) {
        $name = $v if $k eq 'name';
        $c{$name} = $v if $k eq 'pending';
    }
    return \%c;
}

sub main::error_log {
    open my $f, '<', $Test::Nginx::Util::ErrLogFile or return '';
    local $/;
    return <$f>;
}

tokens(admin => ['admin']);

setting(http_config => <<"_EOC_", config => api() . <<'_EOC_');
    pa_redis 127.0.0.1:\$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts \$TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir \$TEST_NGINX_PA_DATA/media;
    pa_tenant t_grp;
    pa_auth_secret_file \$TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file \$TEST_NGINX_ROOT/t/keys/pii.key;
    pa_notify hook http://127.0.0.1:$Port/hook secret_file=$Key
              events=* timeout=1s retry_for=1h;
    pa_notify_claim_idle 4s;
_EOC_
    location = /metrics {
        pa_metrics;
    }
_EOC_

main::fresh('t_grp');

run_tests();

__DATA__

=== TEST 1: a report is submitted and reaches the target
--- more_headers
Content-Type: application/json
--- request
POST /api/v1/reports
{"content":"Cống thoát nước bị tắc","lat":22.39,"lng":103.45,"reporter_name":"Lò Văn G","reporter_phone":"0912345901"}
--- error_code: 201



=== TEST 2: a stopped node left 200 entries pending, and two old consumer names with nothing pending stay in the group: the 200 are claimed and delivered once each within the minute after claim_idle; the consumers with nothing pending that read nothing for claim_idle are removed
--- init
main::wait_for('the first delivery', sub { main::got() >= 1 });
main::redis('XGROUP', 'CREATECONSUMER', $main::S, $main::G, 'old-node:1:aa');
main::redis('XGROUP', 'CREATECONSUMER', $main::S, $main::G, 'old-node:2:bb');
# added and read by the dead node in one step: no live node sees them
main::redis('EVAL', <<'_LUA_', 1, $main::S, $main::G);
for i = 1, 200 do
    redis.call('XADD', KEYS[1], '*', 'type', 'submitted', 'id', 'CLAIM-' .. i)
end
return #redis.call('XREADGROUP', 'GROUP', ARGV[1], 'dead-node:9:cc',
                   'COUNT', 200, 'STREAMS', KEYS[1], '>')[1][2]
_LUA_
Test::More::is(main::consumers()->{'dead-node:9:cc'}, 200,
               'the dead node holds 200 pending');
Time::HiRes::sleep(4);    # claim_idle
main::wait_for('the 200 claimed entries', sub { main::of('CLAIM-') >= 200 });
Time::HiRes::sleep(1);
my @d = main::of('CLAIM-');
Test::More::is(scalar @d, 200, '200 deliveries');
my %once = map { $_->{json}{id} => 1 } @d;
Test::More::is(scalar keys %once, 200, 'each entry once');
Test::More::ok(!(grep { !$_->{signature_ok} || $_->{status} != 200 } @d),
               'signed and answered 200');
Test::More::like(main::redis('XPENDING', $main::S, $main::G), qr/^0\n/,
                 'nothing pending');
Test::More::like(main::error_log(),
                 qr/pa notify "hook": claimed \d+ entries stopped nodes left pending/,
                 'the claim is logged');
# the old names, and the dead node's once its entries were claimed, go
# after claim_idle without a read (a live node's may go too: Redis 7.0
# counts idle from the last entry delivered, and its next read makes it
# again)
main::wait_for('the old consumers removed', sub {
    !grep { /^(old|dead)-node:/ } keys %{ main::consumers() } });
my @left = keys %{ main::consumers() };
Test::More::is(scalar(grep { !/^[^:]+:\d+:[0-9a-f]{16}$/ } @left), 0,
               "only a live worker's consumer left: @left");
Test::More::like(main::error_log(),
                 qr/pa notify "hook": \d+ idle consumer\(s\) with nothing pending removed/,
                 'the removal is logged');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 3: 50 events come at once into a stream kept at 10 entries: the 40 trimmed before the group read them are counted and logged, the 10 left are delivered
--- init
main::redis('EVAL', <<'_LUA_', 1, $main::S);
for i = 1, 50 do
    redis.call('XADD', KEYS[1], 'MAXLEN', 10, '*', 'type', 'submitted',
               'id', 'LOST-' .. i)
end
return 50
_LUA_
main::wait_for('the 10 left', sub { main::of('LOST-') >= 10 });
Time::HiRes::sleep(1);
my @d = main::of('LOST-');
Test::More::is_deeply([map { $_->{json}{id} } @d],
                      [map { "LOST-$_" } 41 .. 50], 'the 10 the stream kept');
my @warn = main::error_log() =~ /\[warn\].*pa notify "hook": (\d+) event\(s\) lost, trimmed from the stream before the target's group read them/g;
Test::More::is_deeply(\@warn, [40], 'logged at warn, once, with the count');
--- request
GET /metrics
--- error_code: 200
--- response_body_like eval
qr/^pa_webhook_events_lost_total 40$/m
