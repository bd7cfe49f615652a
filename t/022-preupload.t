# Media pre-upload (issue 16): POST /api/v1/media (the whole file, or a
# resumable upload opened with Upload-Length and filled by PATCH at
# Upload-Offset), GET/HEAD of a handle, and a submission binding handles
# (media_handles): once, by their uploader, before they expire.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;
use Digest::SHA qw(sha256_hex);

our $Now = '2026-01-22T09:00:00+07:00';
our $Later = '2026-01-22T11:00:01+07:00';      # past the 1 h ttl
our $Next = '2027-03-01T09:00:00+07:00';       # every earlier one dead
our $Last = '2028-03-01T09:00:00+07:00';       # and again
our $Text = 'Not a photo: a plain text sent as one';

our $A = sign({sub => 'citizen-a', role => 'reporter', exp => 4102444800});
our $B = sign({sub => 'citizen-b', role => 'reporter', exp => 4102444800});

sub H { sprintf '%032x', shift }
sub sha { sha256_hex(slurp("$Fix/$_[0]")) }
sub bytes { slurp("$Fix/$_[0]") }

# headers: the clock, a handle to name, more lines
sub hd {
    my ($now, $h, @more) = @_;
    return join "\n", "X-PA-Now: $now", ($h ? "X-PA-Test-Handle: $h" : ()),
                      @more;
}

sub report {
    my ($id, $n, @handles) = @_;
    return "POST /api/v1/reports\n" . JSON::PP->new->canonical->encode({
        content => "Rác thải đổ trộm bên suối #$n",
        reporter_name => 'Lò Văn K', reporter_phone => '0977200' . sprintf('%03d', $n),
        lat => 22.396, lng => 103.458, media_handles => \@handles });
}

our $Patch = 'Content-Type: application/offset+octet-stream';

setting(config => api(400, 404, 405, 413, 415), main_config => $Threads,
        http_config => <<'_EOC_');
    pa_thread_pool pa;
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_preupload;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_test_clock on;
    pa_media_max_size 5m;
    pa_media_max_count 3;
    pa_upload ttl=1h handles=3 bytes=20m;
    client_max_body_size 20m;
_EOC_

fresh('t_preupload');
run_tests();

# bound photos entered the store; no unbound or refused bytes did
my $media = "$Data/media";
for my $f (qw(fresh-mm.jpg fresh-ii.jpg)) {
    my $s = sha($f);
    ok(-f "$media/" . substr($s, 0, 2) . "/$s", "bound $f is in the store");
}
for my $f (qw(text.jpg polyglot.jpg image.png)) {
    my $s = sha($f);
    ok(!-e "$media/" . substr($s, 0, 2) . "/$s", "$f never reached the store");
}
ok(!-e "$media/tmp/up-" . H(1), "a bound upload's waiting file is gone");
# made by a background job just after the store (t/028): waited for
my $thumb = "$media/" . substr(sha('fresh-mm.jpg'), 0, 2) . '/'
            . sha('fresh-mm.jpg') . '.thumb.jpg';
for (1 .. 200) { last if -f $thumb; select undef, undef, undef, 0.05 }
ok(-f $thumb, "a bound photo got its thumbnail once it entered the store");
ok(!-e "$media/tmp/up-" . H(12), "a deleted upload's file is gone");
my @part = grep { !m{/up-} } glob("$media/tmp/*");
is(scalar @part, 0, "no media temp file left") or diag("left: @part");

__DATA__

=== TEST 1: a whole photo as the body: 201, the same checks as submit (type by its bytes, EXIF time and GPS), a handle
--- more_headers eval
::hd($::Now, ::H(1), 'Content-Type: image/jpeg')
--- request eval
"POST /api/v1/media\n" . ::bytes('fresh-mm.jpg')
--- error_code: 201
--- response_headers
Location: /api/v1/media/00000000000000000000000000000001
Cache-Control: no-store
--- response_body_like eval
'^\{"id":"' . ::sha('fresh-mm.jpg') . '","type":"image/jpeg","size":(\d+),"flags":\[\],"taken_at":"2026-01-22T08:00:00\+07:00","gps":\{"lat":22.396\d*,"lng":103.458\d*\}.*"handle":"0{31}1","state":"complete","offset":\1,"length":\1,"expires_at":"2026-01-22T10:00:00\+07:00"\}$'
--- error_log eval
qr/run task #\d+ in thread pool "pa"/



=== TEST 2: resumable: opened with Upload-Length, sent in two pieces; a wrong offset or a piece too many is refused, and the last byte completes it
--- more_headers eval
[::hd($::Now, ::H(2), 'Upload-Length: ' . length(::bytes('fresh-ii.jpg'))),
 ::hd($::Now, '', $::Patch, 'Upload-Offset: 0'),
 ::hd($::Now, ''),
 ::hd($::Now, '', $::Patch, 'Upload-Offset: 100'),
 ::hd($::Now, '', $::Patch, 'Upload-Offset: 1000'),
 ::hd($::Now, '', $::Patch, 'Upload-Offset: 1000'),
 ::hd($::Now, '')]
--- pipelined_requests eval
["POST /api/v1/media\n",
 "PATCH /api/v1/media/" . ::H(2) . "\n" . substr(::bytes('fresh-ii.jpg'), 0, 1000),
 "GET /api/v1/media/" . ::H(2),
 "PATCH /api/v1/media/" . ::H(2) . "\n" . substr(::bytes('fresh-ii.jpg'), 100),
 "PATCH /api/v1/media/" . ::H(2) . "\n" . substr(::bytes('fresh-ii.jpg'), 1000),
 "PATCH /api/v1/media/" . ::H(2) . "\n" . substr(::bytes('fresh-ii.jpg'), 1000),
 "GET /api/v1/media/" . ::H(2)]
--- error_code eval
[201, 200, 200, 409, 200, 409, 200]
--- response_body_like eval
['^\{"handle":"0{31}2","state":"partial","offset":0,"length":' . length(::bytes('fresh-ii.jpg')) . ',"expires_at":"2026-01-22T10:00:00\+07:00"\}$',
 '^\{"handle":"0{31}2","state":"partial","offset":1000,"length":2136,',
 '"state":"partial","offset":1000,',
 '"code":"offset_mismatch"',
 '^\{"id":"' . ::sha('fresh-ii.jpg') . '","type":"image/jpeg",.*"taken_at":"2026-01-22T08:00:00\+07:00".*"state":"complete","offset":' . length(::bytes('fresh-ii.jpg')),
 '"code":"upload_complete"',
 '"id":"' . ::sha('fresh-ii.jpg') . '".*"state":"complete"']



=== TEST 3: a resumable upload's first piece
--- more_headers eval
[::hd($::Now, ::H(3), 'Upload-Length: 9000'), ::hd($::Now, '', $::Patch, 'Upload-Offset: 0')]
--- pipelined_requests eval
["POST /api/v1/media\n", "PATCH /api/v1/media/" . ::H(3) . "\n" . ('x' x 1234)]
--- error_code eval
[201, 200]
--- response_body eval
['{"handle":"00000000000000000000000000000003","state":"partial","offset":0,"length":9000,"expires_at":"2026-01-22T10:00:00+07:00"}' . "\n",
 '{"handle":"00000000000000000000000000000003","state":"partial","offset":1234,"length":9000,"expires_at":"2026-01-22T10:00:00+07:00"}' . "\n"]



=== TEST 3b: HEAD tells where it stands, for its uploader only
--- more_headers eval
::hd($::Now, '')
--- request eval
"HEAD /api/v1/media/" . ::H(3)
--- error_code: 200
--- response_headers
Upload-Offset: 1234
Upload-Length: 9000
Cache-Control: no-store
--- response_body



=== TEST 4: a report binds both handles: they are its media, as if sent with it; the handle reads "bound"
--- more_headers eval
[::hd($::Now, '', 'Content-Type: application/json', 'X-PA-Test-Id: PU-1'),
 ::hd($::Now, '', "Authorization: Bearer $::T{ioc}"),
 ::hd($::Now, '')]
--- pipelined_requests eval
[::report('PU-1', 1, ::H(1), ::H(2)), "GET /api/v1/reports/PU-1", "GET /api/v1/media/" . ::H(1)]
--- error_code eval
[201, 200, 200]
--- response_body_like eval
['"id":"PU-1".*"media":\[\{"id":"' . ::sha('fresh-mm.jpg') . '","type":"image/jpeg",.*"gps":\{"lat":22.396\d*,"lng":103.458\d*\}.*\},\{"id":"' . ::sha('fresh-ii.jpg') . '",',
 '"media":\[\{"id":"' . ::sha('fresh-mm.jpg') . '".*"id":"' . ::sha('fresh-ii.jpg') . '"',
 '"state":"bound"']



=== TEST 5: a handle bound once cannot be bound again: 409 media_bound, and nothing is stored
--- more_headers eval
[::hd($::Now, '', 'Content-Type: application/json', 'X-PA-Test-Id: PU-2'),
 ::hd($::Now, '', "Authorization: Bearer $::T{ioc}")]
--- pipelined_requests eval
[::report('PU-2', 2, ::H(1)), "GET /api/v1/reports/PU-2"]
--- error_code eval
[409, 404]
--- response_body_like eval
['^\{"error":\{"code":"media_bound","message":"[^"]+","field":"media_handles"\}\}$', '"not_found"']



=== TEST 6: an expired handle: 422 media_expired at submit, "expired" when read, and a PATCH is refused
--- more_headers eval
[::hd($::Now, ::H(6), 'Content-Type: image/png'),
 ::hd($::Now, ::H(7), 'Upload-Length: 5000'),
 ::hd($::Later, '', 'Content-Type: application/json'),
 ::hd($::Later, ''),
 ::hd($::Later, '', $::Patch, 'Upload-Offset: 0')]
--- pipelined_requests eval
["POST /api/v1/media\n" . ::bytes('image.png'), "POST /api/v1/media\n",
 ::report('PU-3', 3, ::H(6)), "GET /api/v1/media/" . ::H(6),
 "PATCH /api/v1/media/" . ::H(7) . "\n" . ('x' x 100)]
--- error_code eval
[201, 201, 422, 200, 422]
--- response_body_like eval
['"type":"image/png"', '"state":"partial"',
 '^\{"error":\{"code":"media_expired","message":"[^"]+upload it again","field":"media_handles"\}\}$',
 '"state":"expired"', '"code":"media_expired"']



=== TEST 7: the bytes decide: a text file, a JPEG header glued to HTML and a resumable upload of text are 415 at the pre-upload
--- more_headers eval
[::hd($::Next, '', 'Content-Type: image/jpeg'), "X-PA-Now: $::Next\n$::Multipart",
 ::hd($::Next, ::H(8), 'Upload-Length: ' . length($::Text)),
 ::hd($::Next, '', $::Patch, 'Upload-Offset: 0')]
--- pipelined_requests eval
["POST /api/v1/media\n" . ::bytes('text.jpg'),
 "POST /api/v1/media\n" . ::multipart(['media', 'polyglot.jpg', 'image/jpeg']),
 "POST /api/v1/media\n",
 "PATCH /api/v1/media/" . ::H(8) . "\n" . $::Text]
--- error_code eval
[415, 415, 201, 415]
--- response_body_like eval
['"code":"unsupported_media"', '"code":"unsupported_media"', '"state":"partial"', '"code":"unsupported_media"']



=== TEST 8: a handle is its uploader's: another account reads 404 and cannot bind it (400), its owner can
--- more_headers eval
[::hd($::Next, ::H(9), 'Content-Type: image/jpeg', "Authorization: Bearer $::A"),
 ::hd($::Next, '', "Authorization: Bearer $::B"),
 ::hd($::Next, '', 'Content-Type: application/json', "Authorization: Bearer $::B"),
 ::hd($::Next, '', 'Content-Type: application/json'),
 ::hd($::Next, '', 'Content-Type: application/json', "Authorization: Bearer $::A", 'X-PA-Test-Id: PU-4')]
--- pipelined_requests eval
["POST /api/v1/media\n" . ::bytes('fresh-mm.jpg'), "GET /api/v1/media/" . ::H(9),
 ::report('PU-5', 5, ::H(9)), ::report('PU-6', 6, ::H(9)), ::report('PU-4', 4, ::H(9))]
--- error_code eval
[201, 404, 400, 400, 201]
--- response_body_like eval
['"state":"complete"', '"code":"not_found"',
 '^\{"error":\{"code":"invalid_field","message":"no such media upload[^"]*","field":"media_handles"\}\}$',
 '"code":"invalid_field"', '"id":"PU-4".*"media":\[\{"id":"' . ::sha('fresh-mm.jpg') . '"']



=== TEST 9: media_handles must be a list of handles, each named once; one never made is unknown
--- more_headers eval
[::hd($::Next, '', 'Content-Type: application/json'), ::hd($::Next, '', 'Content-Type: application/json'),
 ::hd($::Next, '', 'Content-Type: application/json')]
--- pipelined_requests eval
[::report('PU-7', 7, 'not-a-handle'), ::report('PU-8', 8, ::H(1), ::H(1)), ::report('PU-9', 9, ::H(99))]
--- error_code eval
[400, 400, 400]
--- response_body_like eval
['"field":"media_handles"', '"field":"media_handles"', '"message":"no such media upload']



=== TEST 9b: an upload not finished cannot be bound: 409 upload_incomplete
--- more_headers eval
[::hd($::Next, ::H(10), 'Upload-Length: 5000'), ::hd($::Next, '', 'Content-Type: application/json')]
--- pipelined_requests eval
["POST /api/v1/media\n", ::report('PU-10', 10, ::H(10))]
--- error_code eval
[201, 409]
--- response_body_like eval
['"state":"partial"', '^\{"error":\{"code":"upload_incomplete","message":"[^"]+","field":"media_handles"\}\}$']



=== TEST 9c: a form names its handles in a field (beside a file sent with it): both are the report's media, the file first
--- more_headers eval
[::hd($::Next, ::H(11), 'Content-Type: image/jpeg'), ::hd($::Next, '', $::Multipart, 'X-PA-Test-Id: PU-11')]
--- pipelined_requests eval
["POST /api/v1/media\n" . ::bytes('fresh-offset.jpg'),
 "POST /api/v1/reports\n" . ::multipart(['content', 'Đèn đường hỏng cả dãy #11'],
     ['reporter_name', 'Lò Văn K'], ['reporter_phone', '0977200011'],
     ['lat', '22.396'], ['lng', '103.458'], ['media_handles', ::H(11)],
     ['media', 'video.mp4', 'video/mp4'])]
--- error_code eval
[201, 201]
--- response_body_like eval
['"state":"complete"', '"id":"PU-11".*"media":\[\{"id":"' . ::sha('video.mp4') . '","type":"video/mp4".*\},\{"id":"' . ::sha('fresh-offset.jpg') . '","type":"image/jpeg"']



=== TEST 9d: DELETE gives an upload up (a photo removed from the form): its file goes, the address's cap frees; another's or a bound one stays
--- more_headers eval
[::hd($::Next, ::H(12), 'Upload-Length: 5000'), ::hd($::Next, '', $::Patch, 'Upload-Offset: 0'),
 ::hd($::Next, ::H(13), 'Upload-Length: 5000'),
 ::hd($::Next, '', "Authorization: Bearer $::B"), ::hd($::Next, ''), ::hd($::Next, ''),
 ::hd($::Next, ::H(13), 'Upload-Length: 5000'), ::hd($::Now, '')]
--- pipelined_requests eval
["POST /api/v1/media\n", "PATCH /api/v1/media/" . ::H(12) . "\n" . ('x' x 300),
 "POST /api/v1/media\n",
 "DELETE /api/v1/media/" . ::H(12), "DELETE /api/v1/media/" . ::H(12), "GET /api/v1/media/" . ::H(12),
 "POST /api/v1/media\n", "DELETE /api/v1/media/" . ::H(1)]
--- error_code eval
[201, 200, 429, 404, 200, 404, 201, 409]
--- response_body_like eval
['"state":"partial"', '"offset":300', '"code":"rate_limited"', '"code":"not_found"',
 '^\{"handle":"0{30}0c","state":"deleted"\}$', '"code":"not_found"', '"state":"partial"', '"code":"media_bound"']



=== TEST 10: too large: an Upload-Length or a body over pa_media_max_size is 413
--- more_headers eval
[::hd($::Next, '', 'Upload-Length: 6000000'), ::hd($::Next, '', 'Content-Type: image/jpeg')]
--- pipelined_requests eval
["POST /api/v1/media\n", "POST /api/v1/media\n" . ("\xff\xd8\xff\xe0" . ('x' x (5 * 1024 * 1024)))]
--- error_code eval
[413, 413]
--- response_body_like eval
['"code":"too_large"', '"code":"too_large"']



=== TEST 11: no free storage: an address holds at most 3 unsent uploads (pa_upload handles=3), the 4th is 429
--- more_headers eval
[::hd($::Last, ::H(21), 'Upload-Length: 1000'), ::hd($::Last, ::H(22), 'Upload-Length: 1000'),
 ::hd($::Last, ::H(23), 'Upload-Length: 1000'), ::hd($::Last, ::H(24), 'Upload-Length: 1000')]
--- pipelined_requests eval
["POST /api/v1/media\n", "POST /api/v1/media\n", "POST /api/v1/media\n", "POST /api/v1/media\n"]
--- error_code eval
[201, 201, 201, 429]
--- response_body_like eval
['"state":"partial"', '"state":"partial"', '"state":"partial"', '"code":"rate_limited"']
