# bench/scale-check.sh, sourced by bench/scale.sh: does the generator
# (bench/scale-gen.lua) still write what the module writes?
#
# layout_reports: reports taken through their life by HTTP, as a province's
# staff and citizens would (one per state the generator makes, plus a
# rated one); their stored hashes and history entries are also the
# generator's templates (FIELDS: a fresh report's fields; ENTRIES: one
# history entry per action, a JSON object).
# layout_check: the shape of those reports (bench/scale-shape.lua: TYPE,
# OBJECT ENCODING and field names of every key, the indexes each report is
# in and with which score) against the shape of generated ones; any
# difference in a class of report both have stops the run.
#
# Uses from scale.sh: rcli, die, BASE, P, IOC, HANDLER, BUSY, submit_one,
# SHAPE_SHA, OUT.

# POST an action; $1 id, $2 "Bearer <staff token>" or "token <reporter's>"
act_as() {
    local id=$1 who=$2 body=$3 h
    case "$who" in
        token\ *) h="X-Report-Token: ${who#token }" ;;
        *) h="Authorization: $who" ;;
    esac
    curl -fsS -o /dev/null -H 'Content-Type: application/json' -H "$h" \
        --data-binary "$body" "$BASE/api/v1/reports/$id/actions" \
        || die "layout check: $body on $id was refused"
}

# one report through the steps named (a prefix of the whole life)
life() {
    local n=$1 a id tok s
    shift
    a=$(submit_one "$n") || die "layout check: submit $n was refused"
    id=$(printf '%s' "$a" | jq -r .id)
    tok=$(printf '%s' "$a" | jq -r .access_token)
    for s in "$@"; do
        case "$s" in
        verify|receive) act_as "$id" "Bearer $IOC" "{\"action\":\"$s\"}" ;;
        dispatch) act_as "$id" "Bearer $IOC" \
                      "{\"action\":\"dispatch\",\"agencies\":[\"$BUSY\"]}" ;;
        accept) act_as "$id" "Bearer $HANDLER" '{"action":"accept"}' ;;
        resolve) act_as "$id" "Bearer $HANDLER" \
                     '{"action":"resolve","salutation":"Ông","summary":"Đã kiểm tra, xử lý xong: vá ổ gà, hoàn trả mặt đường."}' ;;
        publish) act_as "$id" "Bearer $IOC" '{"action":"publish"}' ;;
        rate) act_as "$id" "token $tok" \
                  '{"action":"rate","rating":"satisfied"}' ;;
        reject) act_as "$id" "Bearer $IOC" \
                    '{"action":"reject","reason":"other","message":"Không thuộc phạm vi tiếp nhận."}' ;;
        cancel) act_as "$id" "token $tok" '{"action":"cancel"}' ;;
        escalate) act_as "$id" "Bearer $IOC" \
                      '{"action":"escalate","message":"Vượt thẩm quyền, xin ý kiến chỉ đạo."}' ;;
        monitor) act_as "$id" "Bearer $IOC" \
                     "{\"action\":\"forward_monitoring\",\"agency\":\"$BUSY\",\"message\":\"Theo dõi.\"}" ;;
        esac
    done
    printf '%s\n' "$id"
}

layout_reports() {
    local fresh
    fresh=$(life 1)
    life 2 verify >/dev/null
    life 3 verify receive >/dev/null
    life 4 verify receive dispatch >/dev/null
    life 5 verify receive dispatch accept >/dev/null
    life 6 verify receive dispatch accept resolve publish >/dev/null
    life 7 verify receive dispatch accept resolve publish rate >/dev/null
    life 8 reject >/dev/null
    life 9 cancel >/dev/null
    life 10 verify receive dispatch accept escalate >/dev/null
    life 11 verify receive monitor >/dev/null
    # the first reads of the queues mark their lists built (q:built)
    curl -fsS -o /dev/null -H "Authorization: Bearer $IOC" \
        "$BASE/api/v1/queue" || die "layout check: the IOC's queue failed"
    curl -fsS -o /dev/null -H "Authorization: Bearer $HANDLER" \
        "$BASE/api/v1/queue" || die "layout check: an agency's queue failed"
    mapfile -t FIELDS < <(rcli HGETALL "${P}r:$fresh")
    # one entry per action, from every report's history
    ENTRIES=$(for id in $(rcli --scan --pattern "${P}h:*"); do
                  rcli LRANGE "$id" 0 -1
              done | jq -sc 'map({(.action): .}) | add')
    [ -n "${SCALE_DEBUG:-}" ] && printf '%s\n' "$ENTRIES" >&2
    rcli EVALSHA "$SHAPE_SHA" 1 "${P}st:submitted" "$((NOW - KEEP_NEAR))" > "$OUT/scale-shape-http.txt"
    rcli FLUSHALL >/dev/null
}

# the lines of one class (the word before the first space) of a shape
# file, for the classes the other file has too; the keys of a province
# that do not grow with its reports are not generated: the idempotency
# keys (a day), the capped events stream, the public version
common() {
    awk 'NR == FNR { c[$1] = 1; next }
         $1 == "key" && $2 ~ /^(a?idem:HEX|events|pubver)$/ { next }
         $1 == "key" || $1 == "field" || c[$1]' "$2" "$1" | sort
}

layout_check() {
    local gen=$OUT/scale-shape-gen.txt http=$OUT/scale-shape-http.txt
    rcli EVALSHA "$SHAPE_SHA" 1 "${P}st:submitted" "$((NOW - KEEP_NEAR))" > "$gen"
    # a script's error is one line in both files: no shape to compare
    if grep -q '^ERR' "$http" "$gen"; then
        die "layout check: scale-shape.lua failed: $(grep -h '^ERR' \
             "$http" "$gen" | head -1)"
    fi
    if ! diff <(common "$http" "$gen") <(common "$gen" "$http") \
            > "$OUT/scale-shape.diff"; then
        echo "the generator does not write what the module writes" \
             "(< through HTTP, > generated):" >&2
        cat "$OUT/scale-shape.diff" >&2
        die "layout check failed ($OUT/scale-shape-{http,gen}.txt)"
    fi
    echo "layout check: generated reports are stored as the module stores" \
         "them ($(wc -l < "$gen") shape lines; $OUT/scale-shape-gen.txt)"
    rcli FLUSHALL >/dev/null
}
