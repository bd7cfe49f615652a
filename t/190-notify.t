# Webhooks (pa_notify) with the reference receiver (tests/receiver/) on a
# local port: a report's whole life reaches a target as the right events
# in order, signed; a target that asks for some types gets only those; a
# receiver that answers 500 three times gets the event once more after
# each failure and then no more (4 attempts, one X-PA-Delivery); a
# pii=on target gets the reporter's contact, only what was given, and no
# other target ever does; a
# target that is down for its whole retry window leaves a dead letter an
# admin sees and replays.  Blocks share one nginx (no restart between
# them: the deliverer keeps running while a block waits for it).
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaLife;
use t::PaHook;
use Time::HiRes ();

$Test::Nginx::Util::ForceRestartOnTest = 0;

our ($Hook, $Sms) = (t::PaTest::free_port(), t::PaTest::free_port());
our $Key = hook_key('test-hook-secret-0123456789abcdef');
our $Log = "$t::PaTest::Data/hook.jsonl";
our $SmsLog = "$t::PaTest::Data/sms.jsonl";

# the receiver's log (the hook's unless named): one hash per delivery
sub main::got { return deliveries(shift // $Log) }

receiver($Hook, $Key, $Log);

life('laichau-2026', 't_nt',
     ioc   => ['ioc'],
     admin => ['admin'],
     xd    => ['handler', 'so-xd']);

# the profile's setting, with the targets
setting(main_config => $t::PaTest::Threads,
        http_config => t::PaLife::profile('laichau-2026', 't_nt')
                       . $t::PaTest::Pool . <<"_EOC_");
    pa_redis 127.0.0.1:\$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts \$TEST_NGINX_ROOT/redis-scripts;
    pa_auth_secret_file \$TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file \$TEST_NGINX_ROOT/t/keys/pii.key;
    pa_media_dir \$TEST_NGINX_PA_DATA/media;
    pa_test_clock on;
    pa_notify hook http://127.0.0.1:$Hook/hooks/pa secret_file=$Key
              events=* timeout=2s retry_for=1h;
    pa_notify chat http://127.0.0.1:$Hook/chat secret_file=$Key
              events=urgent_dispatched,overdue timeout=2s;
    pa_notify gw http://127.0.0.1:$Hook/gw secret_file=$Key
              events=submitted,result_published pii=on timeout=2s;
    pa_notify sms http://127.0.0.1:$Sms/sms secret_file=$Key
              events=submitted timeout=2s retry_for=2s;
    pa_notify_claim_idle 10s;
_EOC_

run_tests();

__DATA__

=== TEST 1: a report's whole life: submitted, a supplement asked and given, verified, received as urgent, dispatched, overdue, handled, published, rated, commented, replied
--- more_headers eval
[main::h('', '2026-01-22T14:00:00+07:00') . "\nX-PA-Test-Id: NT-1\nX-PA-Test-Token: token-notify-report-1",
 main::h('ioc', '2026-01-22T14:30:00+07:00'),
 main::h('r:token-notify-report-1', '2026-01-22T15:00:00+07:00'),
 main::h('ioc', '2026-01-22T15:30:00+07:00'),
 main::h('ioc', '2026-01-22T16:00:00+07:00'),
 main::h('ioc', '2026-01-22T16:10:00+07:00'),
 main::h('', '2026-01-22T17:30:00+07:00'),
 main::h('xd', '2026-01-22T17:40:00+07:00'),
 main::h('xd', '2026-01-23T08:00:00+07:00'),
 main::h('ioc', '2026-01-23T08:30:00+07:00'),
 main::h('r:token-notify-report-1', '2026-01-23T09:00:00+07:00'),
 main::h('r:token-notify-report-1', '2026-01-23T09:10:00+07:00'),
 main::h('xd', '2026-01-23T10:00:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Cây đổ chắn ngang đường Lê Duẩn","category":"traffic","lat":22.396,"lng":103.458,"reporter_name":"Lò Thị Bình","reporter_phone":"0912345777","reporter_email":"binh@example.vn"}',
 main::act('NT-1', action => 'request_info', message => 'Đề nghị gửi ảnh hiện trường.'),
 main::act('NT-1', action => 'supplement', content => 'Cây to, chắn cả hai làn'),
 main::act('NT-1', action => 'verify'),
 main::act('NT-1', action => 'receive', urgent => JSON::PP::true),
 main::act('NT-1', action => 'dispatch', agencies => ['so-xd']),
 "POST /api/v1/admin/sweep",
 main::act('NT-1', action => 'accept'),
 main::act('NT-1', action => 'resolve', summary => 'Đã cắt và dọn cây đổ.', salutation => 'Bà'),
 main::act('NT-1', action => 'publish'),
 main::act('NT-1', action => 'rate', rating => 'satisfied'),
 main::act('NT-1', action => 'comment', text => 'Cảm ơn, còn ít cành nhỏ ở lề đường.'),
 main::act('NT-1', action => 'reply', comment_id => 1, text => 'Đã cho dọn nốt.')]
--- error_code eval
[201, (200) x 12]



=== TEST 2: ... the hook target got every event, in the stream's order, signed, one delivery id each; chat only what it asked for
--- init
my @want = qw(submitted request_info supplement_requested supplement verify
              receive dispatch urgent_dispatched overdue overdue accept
              resolve publish result_published rate comment reply);
main::wait_for('the whole life at the receiver', sub {
    (grep { $_->{path} eq '/hooks/pa' } main::got()) >= @want
        && (grep { $_->{path} eq '/chat' } main::got()) >= 3 });
my @hook = grep { $_->{path} eq '/hooks/pa' } main::got();
my @chat = grep { $_->{path} eq '/chat' } main::got();
Test::More::is_deeply([map { $_->{event} } @hook], \@want,
                      'hook: every event in order')
    or Test::More::diag(join ' ', map { $_->{event} } @hook);
Test::More::is_deeply([map { $_->{json}{type} } @hook], \@want,
                      'the body is the event');
Test::More::is_deeply([map { $_->{event} } @chat],
                      [qw(urgent_dispatched overdue overdue)],
                      'chat: only the types of its events=');
my $events = main::redis('XRANGE', 'pa:{t_nt}:events', '-', '+');
my @ids = $events =~ /^(\d+-\d+)$/mg;
Test::More::is_deeply([map { $_->{json}{event_id} } @hook], \@ids,
                      'one delivery per stream entry, in its order');
for my $d (@hook, @chat) {
    Test::More::ok($d->{signature_ok}, "$d->{event}: signature verifies");
    Test::More::is($d->{status}, 200, "$d->{event}: answered 200");
    Test::More::is($d->{attempt}, 1, "$d->{event}: first attempt");
    my $t = $d->{path} eq '/chat' ? 'chat' : 'hook';
    Test::More::is($d->{delivery}, "$t:$d->{json}{event_id}",
                   "$d->{event}: X-PA-Delivery is target:event");
    Test::More::is($d->{json}{id}, 'NT-1', "$d->{event}: the report");
    Test::More::is($d->{json}{tenant}, 't_nt', "$d->{event}: the tenant");
    # api.md: times are RFC 3339 with offset (they came as epoch seconds)
    Test::More::like($d->{json}{at}, qr/^2026-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$/,
                     "$d->{event}: at in RFC 3339, the province's offset");
    Test::More::like($d->{json}{due}, qr/^2026-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$/,
                     "$d->{event}: due in RFC 3339 too")
        if exists $d->{json}{due};
}
Test::More::is(scalar(grep { exists $_->{json}{due} } @hook), 2,
               'the two overdue events say their deadline');
my %ud = map { $_->{event} => $_->{json} } @chat;
Test::More::is($ud{urgent_dispatched}{agency}, 'so-xd', 'the agency to alert');
Test::More::is($ud{urgent_dispatched}{urgent}, '1', 'urgent');
my $all = join '', map { $_->{body} } @hook, @chat;
for my $pii ('0912345777', '912345777', 'binh@example', 'Lò Thị Bình',
             'Cây đổ', 'cành nhỏ') {
    Test::More::unlike($all, qr/\Q$pii\E/, "no \"$pii\" in any body");
}
main::wait_for('the gateway', sub {
    (grep { $_->{path} eq '/gw' } main::got()) >= 2 });
my @gw = grep { $_->{path} eq '/gw' } main::got();
Test::More::is_deeply([map { $_->{event} } @gw],
                      [qw(submitted result_published)], 'gw: its types');
for my $d (@gw) {
    Test::More::ok($d->{signature_ok}, "gw $d->{event}: signed with the contact");
    Test::More::is_deeply($d->{json}{reporter},
                          {phone => '+84912345777', email => 'binh@example.vn'},
                          "gw $d->{event}: the reporter's contact (pii=on)");
}
Test::More::unlike(main::redis('HGETALL', "pa:{t_nt}:notify:d:gw:$gw[0]{json}{event_id}")
                   . main::redis('XRANGE', 'pa:{t_nt}:events', '-', '+'),
                   qr/912345777|binh\@/, 'the contact never written to Redis');
Test::More::is(main::redis('XPENDING', 'pa:{t_nt}:events', 'notify:hook'),
               "0\n\n\n", 'nothing left pending');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 3: the receiver answers 500 three times: the event comes again after each failure, then stops at the 200
--- init
my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $main::Hook);
print $s "GET /_control?fail=3&path=/hooks/pa HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
local $/; my $ok = <$s>; close $s;
Test::More::like($ok, qr/^HTTP\/1\.1 200/, 'receiver told');
--- more_headers eval
main::h('', '2026-01-26T09:00:00+07:00') . "\nX-PA-Test-Id: NT-2"
--- request
POST /api/v1/reports
{"content":"Đèn đường hỏng ở ngã tư","lat":22.396,"lng":103.458,"reporter_name":"Lò Văn C","reporter_phone":"0912345778"}
--- error_code: 201



=== TEST 4: ... exactly 4 attempts of one delivery, 1 s, 2 s, 4 s apart (+-25%), and none after the 200
--- init
my $mine = sub { grep { $_->{path} eq '/hooks/pa' && $_->{json}{id} eq 'NT-2' } main::got() };
main::wait_for('the 200', sub { grep { $_->{status} == 200 } $mine->() });
Time::HiRes::sleep(3);    # a fifth attempt would have come by now
my @d = $mine->();
Test::More::is_deeply([map { $_->{status} } @d], [500, 500, 500, 200],
                      '500 three times, then 200, then nothing');
Test::More::is_deeply([map { $_->{attempt} } @d], [1, 2, 3, 4], 'attempts');
my %ids = map { $_->{delivery} => 1 } @d;
Test::More::is(scalar keys %ids, 1, 'one X-PA-Delivery for all of them');
for my $i (1 .. 3) {
    my $gap = $d[$i]{at_ms} - $d[$i - 1]{at_ms};
    my $base = 1000 * 2 ** ($i - 1);
    Test::More::cmp_ok($gap, '>=', $base * 0.75, "backoff $i: not before");
}
my ($gw) = grep { $_->{path} eq '/gw' && $_->{json}{id} eq 'NT-2' } main::got();
Test::More::is_deeply($gw->{json}{reporter}, {phone => '+84912345778'},
                      'no e-mail given: none sent');
Test::More::is($gw->{attempt}, 1, 'the gateway was not failed');
Test::More::is(main::redis('ZCARD', 'pa:{t_nt}:notify:hook:retry'), '0',
               'no retry left');
Test::More::is(main::redis('EXISTS', "pa:{t_nt}:notify:d:hook:$d[0]{json}{event_id}"),
               '0', 'its record deleted');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 5: the sms target was down for its whole window (2 s): each submission is a dead letter, listed for an admin with its attempts and last error
--- init
main::wait_for('two dead letters', sub {
    main::redis('ZCARD', 'pa:{t_nt}:notify:dead') >= 2 });
--- more_headers eval
main::h('admin')
--- request
GET /api/v1/admin/deliveries
--- error_code: 200
--- response_body_like
^\{"total":2,"deliveries":\[\{"id":"sms:\d+-\d+","target":"sms","event":"\d+-\d+","type":"submitted","attempts":2,"first_at":"[^"]+\+07:00","last_at":"[^"]+","dead_at":"[^"]+","last_status":null,"last_error":"connect failed","state":"dead"\},\{"id":"sms:\d+-\d+",.*"attempts":2,.*"state":"dead"\}\]\}$



=== TEST 6: only an admin reads or replays them; an unknown delivery is 404
--- more_headers eval
[main::h('ioc'), main::h(''), main::h('admin'), main::h('admin'), main::h('ioc')]
--- pipelined_requests eval
["GET /api/v1/admin/deliveries", "GET /api/v1/admin/deliveries",
 "POST /api/v1/admin/deliveries/sms:1-0/replay\n{}",
 "POST /api/v1/admin/deliveries/nope:1-0/replay\n{}",
 "POST /api/v1/admin/deliveries/sms:1-0/replay\n{}"]
--- error_code eval
[403, 401, 404, 404, 403]
--- response_body_like eval
['"code":"forbidden"', '"code":"unauthorized"', '"code":"not_found"',
 '"code":"not_found"', '"code":"forbidden"']



=== TEST 6a: the contract's form, POST /api/v1/admin/deliveries with the delivery's id in the body: only an admin; the id missing, not a string, or unknown is said so, in JSON
--- more_headers eval
[main::h('ioc'), main::h('admin'), main::h('admin'), main::h('admin'),
 main::h('admin'), main::h('admin')]
--- pipelined_requests eval
["POST /api/v1/admin/deliveries\n{\"id\":\"sms:1-0\"}",
 "POST /api/v1/admin/deliveries\n{}",
 "POST /api/v1/admin/deliveries\n{\"id\":7}",
 "POST /api/v1/admin/deliveries\n{\"id\":\"sms:1-0\"}",
 "POST /api/v1/admin/deliveries\n{\"id\":\"nope:1-0\"}",
 "POST /api/v1/admin/deliveries\n[1"]
--- error_code eval
[403, 400, 400, 404, 404, 400]
--- response_body_like eval
['"code":"forbidden"', '"code":"missing_field".*"field":"id"',
 '"code":"invalid_field".*"field":"id"', '"code":"not_found"',
 '"code":"not_found"', '"code":"invalid_json"']



=== TEST 6b: a wrong page is named as page, a wrong per_page as per_page (page=0 was named per_page)
--- more_headers eval
[main::h('admin'), main::h('admin'), main::h('admin'), main::h('admin')]
--- pipelined_requests eval
["GET /api/v1/admin/deliveries?page=0",
 "GET /api/v1/admin/deliveries?page=x",
 "GET /api/v1/admin/deliveries?per_page=0",
 "GET /api/v1/admin/deliveries?page=1&per_page=201"]
--- error_code eval
[400, 400, 400, 400]
--- response_body_like eval
['"code":"invalid_field".*"field":"page"\\}', '"field":"page"\\}',
 '"field":"per_page"\\}', '"field":"per_page"\\}']


=== TEST 7: the sms gateway is back; an admin replays the first dead letter: 202, and the deliverer sends it
--- init
t::PaHook::receiver($main::Sms, $main::Key, $main::SmsLog);
$main::Dead = (split /\n/, main::redis('ZRANGE', 'pa:{t_nt}:notify:dead', 0, 0))[0];
my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                              PeerPort => $Test::Nginx::Util::ServerPortForClient);
print $s "POST /api/v1/admin/deliveries/$main::Dead/replay HTTP/1.1\r\n"
         . "Host: localhost\r\nConnection: close\r\n"
         . "Authorization: Bearer $main::T{admin}\r\n"
         . "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
local $/; my $answer = <$s>; close $s;
Test::More::like($answer, qr/^HTTP\/1\.1 202 /, '202 Accepted');
Test::More::like($answer, qr/\r\n\r\n\{"id":"\Q$main::Dead\E","state":"replay"\}$/,
                 'the delivery, to be replayed');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 8: ... it arrived once, and the list holds the other one only
--- init
main::wait_for('the replay', sub { my @g = main::got($main::SmsLog); @g >= 1 });
Time::HiRes::sleep(1);
my @d = main::got($main::SmsLog);
Test::More::is(scalar @d, 1, 'one delivery');
Test::More::is($d[0]{delivery}, $main::Dead, 'the replayed one');
Test::More::ok($d[0]{signature_ok}, 'signed');
Test::More::is($d[0]{event}, 'submitted', 'its type');
Test::More::is($d[0]{attempt}, 3, 'its third attempt');
Test::More::ok(!exists $d[0]{json}{reporter}, 'no contact: sms is not pii=on');
Test::More::is(main::redis('ZSCORE', 'pa:{t_nt}:notify:dead', $main::Dead),
               '', 'no longer a dead letter');
Test::More::is(main::redis('EXISTS', "pa:{t_nt}:notify:d:$main::Dead"), '0',
               'its record deleted');
--- more_headers eval
main::h('admin')
--- request
GET /api/v1/admin/deliveries
--- error_code: 200
--- response_body_like eval
qr/^\{"total":1,"deliveries":\[\{"id":"sms:\d+-\d+",/



=== TEST 8b: the other dead letter replayed by the contract's form (its id in the body): 202, the same answer
--- init
$main::Dead2 = (split /\n/, main::redis('ZRANGE', 'pa:{t_nt}:notify:dead', 0, 0))[0];
my $body = "{\"id\":\"$main::Dead2\"}";
my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                              PeerPort => $Test::Nginx::Util::ServerPortForClient);
print $s "POST /api/v1/admin/deliveries HTTP/1.1\r\n"
         . "Host: localhost\r\nConnection: close\r\n"
         . "Authorization: Bearer $main::T{admin}\r\n"
         . "Content-Type: application/json\r\n"
         . "Content-Length: " . length($body) . "\r\n\r\n$body";
local $/; my $answer = <$s>; close $s;
Test::More::like($answer, qr/^HTTP\/1\.1 202 /, '202 Accepted');
Test::More::like($answer, qr/\r\n\r\n\{"id":"\Q$main::Dead2\E","state":"replay"\}$/,
                 'the delivery named, to be replayed');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 8c: ... it arrived, once; no dead letter is left
--- init
main::wait_for('the second replay', sub { my @g = main::got($main::SmsLog); @g >= 2 });
Time::HiRes::sleep(1);
my @d = main::got($main::SmsLog);
Test::More::is(scalar @d, 2, 'two deliveries in all');
Test::More::is($d[1]{delivery}, $main::Dead2, 'the one named in the body');
Test::More::ok($d[1]{signature_ok}, 'signed');
--- more_headers eval
main::h('admin')
--- request
GET /api/v1/admin/deliveries
--- error_code: 200
--- response_body
{"total":0,"deliveries":[]}
