# A rolling upgrade with the configuration as it was: the operator puts
# this version on one node, then the next, and adds no directive.  The
# nodes not yet upgraded (the version before issue 12's fields cut,
# commit 09157e1) read a report only with its "id" and "updated_at"
# fields: their queue.lua lists "id":null, their act.lua and sweep.lua
# take a nil id.  Their sweeper fails on such a report at each pass,
# after counting the agency's overdue once more (a script's writes are
# not undone by its error): every other deadline waits behind it and
# the day's statistics grow by one a pass, as long as an old node holds
# the sweeper's lock.  So a node stores both fields unless told the
# upgrade is over (pa_record_compat off).
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

our $P = 'pa:{t_upgrade}:';
our $Old = '09157e1';       # the version before the cut

setting(http_config => submit_http('t_upgrade'));

# the previous version's scripts, as its nodes load them (its own
# build/pa-script joins the same prelude): "" when the history is not
# at hand
sub old_script {
    my $name = shift;
    my $dir = "$ENV{TEST_NGINX_PA_DATA}/old-scripts";
    my $root = $t::PaTest::ROOT;
    unless (-d "$dir/redis-scripts") {
        mkdir $dir;
        system("git -C $root archive $Old redis-scripts 2>/dev/null"
               . " | tar -x -C $dir") == 0 or return '';
    }
    return `$root/build/pa-script $dir/redis-scripts/$name 2>/dev/null`;
}

# one pass of the older node's sweeper at $now (epoch) on day $day
sub old_sweep {
    my ($text, $now, $day) = @_;
    my @k = map { "$P$_" } qw(sweep:lock due events clock sweep:cursor
        sweep:last near near:at dup:cursor q:late st:dispatched q:dispatched
        st:in_progress q:in_progress st:awaiting_approval
        q:awaiting_approval);
    return main::redis('EVAL', $text, scalar @k, @k, $now, $P, $day, '',
                       1000, 500, '2026-01-26T09:00:00+07:00', 'n', 'r', 0);
}

run_tests();

__DATA__

=== TEST 1: a report submitted to an upgraded node, its configuration unchanged
--- init
main::fresh('t_upgrade');
--- more_headers
Content-Type: application/json
X-PA-Now: 2026-01-23T15:00:00+07:00
X-PA-Test-Id: UP-1
--- request
POST /api/v1/reports
{"content":"Ổ gà lớn trên đường Trần Hưng Đạo","lat":22.396,"lng":103.458,"reporter_name":"Nguyễn Văn A","reporter_phone":"0912345678"}
--- error_code: 201



=== TEST 2: ... holds what a node not yet upgraded reads: its id and updated_at
--- init
my %h = split /\n/, main::redis('HGETALL', "${main::P}r:UP-1");
Test::More::is($h{id}, 'UP-1', 'id: an older node lists the report by it');
Test::More::is($h{updated_at}, $h{created_at},
               'updated_at: an older node shows and polls it');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 3: ... and an older node's sweeper, its verification past due, marks it overdue: the day's overdue list names it
--- init
SKIP: {
    my $text = main::old_script('sweep.lua');
    Test::More::skip("the version $main::Old is not in this history", 3)
        if $text eq '';
    # a minute after the 1-day verification's due time (Monday 09:00)
    Test::More::is(main::redis('HGET', "${main::P}r:UP-1", 'dl:verify'),
                   '1769414400', 'due Monday 09:00');
    my $out = main::old_sweep($text, 1769414460, '20260126');
    Test::More::unlike($out, qr/ERR|error|nil value/,
                       'the older sweeper runs through');
    Test::More::is(main::redis('SMEMBERS', "${main::P}late:20260126"),
                   'ioc|UP-1', "the IOC's overdue list of the day names it");
}
--- request
GET /api/v1/health
--- error_code: 200
