/*
 * fuzz_trace.c - a trace reader, then a short replay with verification.
 *
 * Built once per format (FUZZ_FORMAT: "json", "binary", "lackey", "din",
 * "txt"; the JSON reader also reads generator specs). The input is the
 * file. Its length picks the import options of the foreign formats (fold
 * mode, page size, fetches), so one corpus covers them all.
 *
 * Properties checked, besides the sanitizers:
 *   - reading is deterministic: a rewind gives the same ops again;
 *   - a replay with a shadow of the pool (VMR_VERIFY_ON) never finds wrong
 *     data the trace did not ask for, never a disagreement between byte
 *     counts, never a broken core invariant (vm_check);
 *   - the headless fast path (VMR_VERIFY_OFF) holds the same invariants.
 */
#include <string.h>

#include "fuzz.h"
#include "vmr_replay.h"
#include "vmtrace.h"

#ifndef FUZZ_FORMAT
#error "define FUZZ_FORMAT"
#endif

#define POOL_CAP (16u << 10) /* larger pools are replayed over their first 16 KiB */
#define MAX_OPS 300u         /* ops replayed per pass */
#define CHECK_OPS 128u       /* ops compared across a rewind */

static const char *file_name(void)
{
    static const char *const names[][2] = {{"json", "in.json"}, {"binary", "in.vmt"},
                                           {"lackey", "in.lackey"}, {"din", "in.din"},
                                           {"txt", "in.txt"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(names[i][0], FUZZ_FORMAT)) return names[i][1];
    return "in";
}

/* A digest of the next n ops (stops early at the end or an error). */
static uint64_t digest(struct vmt_source *s, unsigned n)
{
    uint64_t h = 1469598103934665603ull;
    struct vmt_op op;
#define MIX(v) (h = (h ^ (uint64_t)(v)) * 1099511628211ull)
    while (n-- && vmt_next(s, &op) == 1) {
        MIX(op.kind);
        MIX(op.mode);
        MIX(op.value);
        MIX(op.region);
        MIX(op.src_region);
        MIX(op.id);
        MIX(op.addr);
        MIX(op.src);
        MIX(op.len);
        MIX(op.work);
        if (op.data)
            for (uint32_t i = 0; i < op.len && i < 4096; i++) MIX(op.data[i]);
        if (op.name)
            for (const char *p = op.name; *p; p++) MIX(*p);
    }
#undef MIX
    return h;
}

/* A replay's failure must be the trace's fault, never the engine's. */
static void judge(const struct vmr_result *res)
{
    if (res->ok) return;
    if (!res->error[0]) fuzz_fail("a failed replay without a message");
    if (strstr(res->error, "byte counts disagree") || strstr(res->error, "vm_check") ||
        (strstr(res->error, "data mismatch") && !strstr(res->error, "trace expects")))
        fuzz_fail("replay: %s", res->error);
}

static void replay(struct vmt_source *s, unsigned verify)
{
    struct vmr_config c;
    struct vmr_result res;
    char err[256];
    const struct vmt_info *info = vmt_info(s);
    memset(&c, 0, sizeof c);
    c.backend.type = VMR_BE_RAM;
    c.pager.page_size = 64;
    c.pager.page_count = 4;
    c.pager.policy = (uint8_t)(info->op_count & 3u);
    c.verify = (uint8_t)verify;
    c.shadow_limit = POOL_CAP;
    c.flush_at_end = 1;
    if (info->pool_size > POOL_CAP && info->pool_size <= 0x80000000u) c.pool_size = POOL_CAP;
    struct vmr_run *r = vmr_create(&c, s, err, sizeof err);
    if (!r) {
        if (!err[0]) fuzz_fail("vmr_create failed without a message");
        return;
    }
    vmr_step(r, MAX_OPS);
    vmr_finish(r, &res);
    judge(&res);
    vmr_destroy(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[600];
    struct vmt_open_opts o;
    if (!strcmp(FUZZ_FORMAT, "json") && fuzz_costly_json(data, size)) return 0;
    memset(&o, 0, sizeof o);
    o.fold = (uint8_t)(size % 3u);
    if (o.fold == VMT_FOLD_MOD) o.pool_size = 65536;
    o.id_bytes = (size & 8u) ? 16u : 0u;
    o.fetches = (uint8_t)((size >> 4) & 1u);
    err[0] = 0;
    struct vmt_source *s = vmt_open(fuzz_file(file_name(), data, size), FUZZ_FORMAT, &o, err,
                                    sizeof err);
    if (!s) {
        if (!err[0]) fuzz_fail("vmt_open failed without a message");
        return 0;
    }
    (void)vmt_memory(s);
    uint64_t a = digest(s, CHECK_OPS);
    int rw = vmt_rewind(s);
    if (rw == 0 && digest(s, CHECK_OPS) != a) fuzz_fail("a rewind changed the ops");
    if (rw == 0 && vmt_rewind(s) == 0) replay(s, VMR_VERIFY_ON);
    if (vmt_rewind(s) == 0) replay(s, VMR_VERIFY_OFF);
    vmt_close(s);
    return 0;
}
