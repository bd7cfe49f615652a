# The Lua prelude (redis-scripts/lib/, ngx_pa_prelude.h): a script whose
# first line is "--! uses: qscore fold" is loaded with those libraries
# joined into that line, so Redis runs one text whose SHA1 is what the
# module calls, every line of the script keeps its number in Redis'
# messages, and a broken library is reported when nginx starts (its
# [emerg], or the [alert] of the SCRIPT LOAD at connect), not by the
# first request that runs the script.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;
use Digest::SHA qw(sha1_hex);
use File::Path qw(make_path);
use HTTP::Tiny;

our $Scripts = "$t::PaTest::ROOT/redis-scripts";
our $Tool = "$t::PaTest::ROOT/build/pa-script";

# the text every loader but the module gets from build/pa-script
sub loaded {
    open my $p, '-|', $Tool, "$Scripts/$_[0].lua" or die "$Tool: $!";
    local $/;
    my $text = <$p>;
    close $p or die "$Tool $_[0]: $?";
    return $text;
}

# a copy of redis-scripts/ in $Data/<name>, one file changed by $edit
sub copy_with {
    my ($name, $file, $edit) = @_;
    my $dir = "$Data/$name";
    make_path("$dir/lib");
    for my $f (glob("$Scripts/*.lua"), glob("$Scripts/lib/*.lua")) {
        (my $rel = $f) =~ s{^\Q$Scripts\E/}{};
        my $text = t::PaTest::slurp($f);
        $text = $edit->($text) if $rel eq $file;
        open my $o, '>', "$dir/$rel" or die "$dir/$rel: $!";
        print $o $text;
        close $o;
    }
    return $dir;
}

# lib/qscore.lua with a syntax error on a line of code of its own
copy_with('badlib', 'lib/qscore.lua',
          sub { "$_[0]local broken = = 1\n" });
# act.lua with one at its line 40 (after the prelude's line 1)
copy_with('badline', 'act.lua', sub {
    my @l = split /^/, $_[0];
    $l[39] = "local broken = = 1\n";
    join '', @l;
});
copy_with('noname', 'act.lua',
          sub { $_[0] =~ s/\A--! uses: qscore fold/--! uses: qscore nosuch/r });
copy_with('comment', 'lib/fold.lua',
          sub { $_[0] =~ s/^(    local kept, del, n = \{\}, \{\}, 0)$/$1 -- why/mr });

our $Http = <<'_EOC_';
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_prelude;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_test_clock on;
    pa_directory $TEST_NGINX_ROOT/conf-examples/directory/laichau.json;
    pa_sla verify 2d urgent=1h;
_EOC_

# the blocks that break a library expect its [alert] (run after
# setting()'s, which adds it: Test::Nginx runs the last added first)
Test::Nginx::Socket::add_block_preprocessor(sub {
    my $block = shift;
    return unless defined $block->expect_alert;
    $block->set_value('no_error_log',
                      [grep { $_ ne '[alert]' } @{$block->no_error_log}]);
});

setting(http_config => "$Http    pa_redis_scripts $Scripts;\n",
        more_headers => "Content-Type: application/json\n"
                        . "X-PA-Now: 2026-01-22T10:00:00+07:00");

run_tests();

__DATA__

=== TEST 1: the module loads each script with its prelude: the SHA1 it calls is the one of build/pa-script's text (not of the file), and reports submitted through it are listed in the queue's order (urgent first)
--- init
my $port = Test::Nginx::Util::server_port_for_client();
for (['P-1', '09:00', 'traffic', 1], ['P-2', '10:00', 'fire', 2]) {
    my $res = HTTP::Tiny->new->post("http://127.0.0.1:$port/api/v1/reports", {
        headers => {'Content-Type' => 'application/json',
                    'X-PA-Test-Id' => $_->[0],
                    'X-PA-Now' => "2026-01-22T$_->[1]:00+07:00"},
        content => qq({"content":"Cống tắc","category":"$_->[2]","lat":22.39,"lng":103.45,"reporter_name":"A","reporter_phone":"091200000$_->[3]"})});
    Test::More::is($res->{status}, 201, "$_->[0] submitted (submit.lua)");
}
for my $s (qw(submit act queue sweep get)) {
    my $text = main::loaded($s);
    my $file = t::PaTest::slurp("$main::Scripts/$s.lua");
    Test::More::is(main::redis('SCRIPT', 'EXISTS', Digest::SHA::sha1_hex($text)), '1',
                   "$s: Redis holds the text with its prelude");
    next if $text eq $file;
    Test::More::is(main::redis('SCRIPT', 'EXISTS', Digest::SHA::sha1_hex($file)), '0',
                   "$s: not the file alone");
    Test::More::is((split /\n/, $text)[1], (split /\n/, $file)[1],
                   "$s: its line 2 is the file's line 2");
}
--- more_headers eval
"X-PA-Now: 2026-01-22T10:30:00+07:00\nAuthorization: Bearer $::T{ioc}"
--- request
GET /api/v1/queue
--- error_code: 200
--- response_body_like: ^\{"items":\[\{"id":"P-2","status":"submitted","urgent":true,.*\{"id":"P-1","status":"submitted","urgent":false,.*"total":2,



=== TEST 2: a library Redis cannot compile: nginx starts and says so at once, naming the script and its prelude, while nothing ran it (the health check answers)
--- http_config eval
"$::Http    pa_redis_scripts $t::PaTest::Data/badlib;\n"
--- expect_alert
--- request
GET /api/v1/health
--- error_code: 200
--- error_log eval
[qr{\[alert\].*SCRIPT LOAD of "[^"]*/badlib/act\.lua" failed: ERR Error compiling script \(new function\): user_script:1: .*\(its line 1 is the prelude of lib/: qscore fold prints record late\)},
 qr{\[alert\].*SCRIPT LOAD of "[^"]*/badlib/queue\.lua" failed: .*user_script:1: .*\(its line 1 is the prelude of lib/: qscore\)}]
--- no_error_log
SCRIPT LOAD of "[^"]*/badlib/get.lua" failed



=== TEST 3: an error in a script's own line is reported at that line: the prelude takes none of its lines
--- http_config eval
"$::Http    pa_redis_scripts $t::PaTest::Data/badline;\n"
--- expect_alert
--- request
GET /api/v1/health
--- error_code: 200
--- error_log eval
qr{\[alert\].*SCRIPT LOAD of "[^"]*/badline/act\.lua" failed: .*user_script:40: }



=== TEST 4: a library that does not exist stops nginx at the start, naming the script and the library
--- http_config eval
"$::Http    pa_redis_scripts $t::PaTest::Data/noname;\n"
--- must_die
--- error_log eval
[qr{\[emerg\].*/noname/lib/nosuch\.lua" failed}, qr{"[^"]*/noname/act\.lua" line 1 uses "nosuch"}]



=== TEST 5: a comment after code in a library (it would eat the rest of the joined line) stops nginx at the start, naming the library's line
--- http_config eval
"$::Http    pa_redis_scripts $t::PaTest::Data/comment;\n"
--- must_die
--- error_log eval
qr{\[emerg\].*"[^"]*/comment/lib/fold\.lua" line 13 cannot join the prelude's one line}
