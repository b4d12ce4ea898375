/*
 * test_vmrec.c - recording a small program that uses the core, then
 * replaying the trace on a fresh pager: the replay must make the same
 * touches (equal vm_stats) and read back the recorded data.
 * Built twice: with the explicit vmrec_* wrappers, and (VMREC_TEST_WRAP)
 * as an unchanged program linked with the --wrap layer.
 */
#include "tt_util.h"
#include "vm.h"
#include "vm_ram.h"
#include "vmrec.h"

#define POOL 65536u
#define PS 64u
#define PC 4u

struct rig {
    struct vm vm;
    struct vm_ram ram;
    uint8_t mem[POOL];
    uint32_t pages[PS * PC / 4];
    struct vm_slot slots[PC];
    struct vm_block heap[16];
};

static void rig_init(struct rig *g)
{
    struct vm_config cfg;
    memset(g, 0, sizeof *g);
    vm_ram_init(&g->ram, g->mem, POOL);
    memset(&cfg, 0, sizeof cfg);
    cfg.backend = &g->ram.backend;
    cfg.page_size = PS;
    cfg.page_count = PC;
    cfg.policy = VM_POLICY_LRU;
    cfg.pages = g->pages;
    cfg.pages_size = sizeof g->pages;
    cfg.slots = g->slots;
    cfg.slot_count = PC;
    cfg.heap = g->heap;
    cfg.heap_blocks = 16;
    ck_assert_int_eq(vm_init(&g->vm, &cfg), VM_OK);
}

#ifdef VMREC_TEST_WRAP
/* The program, unchanged: plain core calls. */
#define R(call) call
#define A(x) x
#define CALLR(fn, ...) fn(__VA_ARGS__)
#else
static struct vmrec *rec;
#define CALLR(fn, ...) vmrec_##fn(rec, __VA_ARGS__)
#endif

/* A small program: a table of records, a byte loop through the inline
 * accessors, a locked block, bulk helpers, flush and invalidate. */
static void program(struct vm *vm)
{
    vm_addr_t table, buf;
    uint32_t i, sum = 0;
    uint8_t b;
    struct vm_lock lk;
#ifdef VMREC_TEST_WRAP
    table = vm_alloc(vm, 4000);
    buf = vm_alloc(vm, 1000);
    for (i = 0; i < 1000; i++) ck_assert_int_eq(vm_set32(vm, table + 4 * i, i * 7u), VM_OK);
    for (i = 0; i < 1000; i += 3) {
        uint32_t v;
        ck_assert_int_eq(vm_get32(vm, table + 4 * i, &v), VM_OK);
        sum += v;
    }
    for (i = 0; i < 500; i++) ck_assert_int_eq(vm_get8(vm, (vm_addr_t)(20000 + i * 13), &b), VM_OK);
    ck_assert_int_eq(vm_lock(vm, buf + 100, 60, VM_LOCK_RW, &lk), VM_OK);
    memset(lk.ptr, 0x5a, lk.len);
    ck_assert_int_eq(vm_unlock(vm, &lk), VM_OK);
    ck_assert_int_eq(vm_memset(vm, buf, 0x11, 90), VM_OK);
    ck_assert_int_eq(vm_memmove(vm, buf + 200, table + 40, 300), VM_OK);
    ck_assert_int_eq(vm_flush(vm), VM_OK);
    ck_assert_int_eq(vm_write(vm, 30000, "hello", 5), VM_OK);
    ck_assert_int_eq(vm_invalidate(vm), VM_OK);
    ck_assert_int_eq(vm_free(vm, buf), VM_OK);
    buf = vm_alloc(vm, 64);
    ck_assert_int_eq(vm_read(vm, &b, buf + 3, 1), VM_OK);
    ck_assert_int_eq(vm_read(vm, &b, 30001, 1), VM_OK);
    ck_assert_int_eq(b, 'e');
#else
    table = CALLR(alloc, vm, 4000);
    buf = CALLR(alloc, vm, 1000);
    for (i = 0; i < 1000; i++) ck_assert_int_eq(CALLR(set32, vm, table + 4 * i, i * 7u), VM_OK);
    for (i = 0; i < 1000; i += 3) {
        uint32_t v;
        ck_assert_int_eq(CALLR(get32, vm, table + 4 * i, &v), VM_OK);
        sum += v;
    }
    for (i = 0; i < 500; i++) ck_assert_int_eq(CALLR(get8, vm, (vm_addr_t)(20000 + i * 13), &b), VM_OK);
    vmrec_phase(rec, "bulk");
    ck_assert_int_eq(CALLR(lock, vm, buf + 100, 60, VM_LOCK_RW, &lk), VM_OK);
    memset(lk.ptr, 0x5a, lk.len);
    ck_assert_int_eq(CALLR(unlock, vm, &lk), VM_OK);
    ck_assert_int_eq(CALLR(memset, vm, buf, 0x11, 90), VM_OK);
    ck_assert_int_eq(CALLR(memmove, vm, buf + 200, table + 40, 300), VM_OK);
    ck_assert_int_eq(CALLR(flush, vm), VM_OK);
    ck_assert_int_eq(CALLR(write, vm, 30000, "hello", 5), VM_OK);
    ck_assert_int_eq(CALLR(invalidate, vm), VM_OK);
    ck_assert_int_eq(CALLR(free, vm, buf), VM_OK);
    buf = CALLR(alloc, vm, 64);
    ck_assert_int_eq(CALLR(read, vm, &b, buf + 3, 1), VM_OK);
    ck_assert_int_eq(CALLR(read, vm, &b, 30001, 1), VM_OK);
    ck_assert_int_eq(b, 'e');
#endif
    ck_assert_uint_gt(sum, 0);
}

/* Replays a trace on g; returns the number of ops, fails on a data mismatch. */
static long replay(struct rig *g, const char *path)
{
    char err[600];
    struct vmt_source *s = vmt_open(path, NULL, NULL, err, sizeof err);
    struct vmt_op op;
    vm_addr_t base[8] = {0};
    struct vm_lock locks[8];
    uint8_t buf[4096];
    long n = 0;
    int rc;
    ck_assert_msg(s != NULL, "%s", err);
    ck_assert_uint_eq(vmt_info(s)->pool_size, POOL);
    while ((rc = vmt_next(s, &op)) == 1) {
        vm_addr_t a = (vm_addr_t)op.addr + (op.region ? base[op.region] : 0);
        vm_addr_t src = (vm_addr_t)op.src + (op.src_region ? base[op.src_region] : 0);
        ck_assert_uint_lt(op.region, 8);
        ck_assert_uint_le(op.len, sizeof buf);
        switch (op.kind) {
        case VMT_READ:
            ck_assert_int_eq(vm_read(&g->vm, buf, a, op.len), VM_OK);
            if (op.data) ck_assert_msg(memcmp(buf, op.data, op.len) == 0, "op %ld: data differs", n);
            break;
        case VMT_WRITE:
            ck_assert_ptr_nonnull(op.data); /* recorded with VMREC_DATA */
            ck_assert_int_eq(vm_write(&g->vm, a, op.data, op.len), VM_OK);
            break;
        case VMT_LOCK:
            ck_assert_uint_lt(op.id, 8);
            ck_assert_int_eq(vm_lock(&g->vm, a, op.len, op.mode, &locks[op.id]), VM_OK);
            if (op.mode != VM_LOCK_RO) memset(locks[op.id].ptr, 0x5a, locks[op.id].len);
            break;
        case VMT_UNLOCK:
            ck_assert_int_eq(vm_unlock(&g->vm, &locks[op.id]), VM_OK);
            break;
        case VMT_MEMSET:
            ck_assert_int_eq(vm_memset(&g->vm, a, op.value, op.len), VM_OK);
            break;
        case VMT_MEMCPY:
            ck_assert_int_eq(vm_memmove(&g->vm, a, src, op.len), VM_OK);
            break;
        case VMT_FLUSH:
            ck_assert_int_eq(vm_flush(&g->vm), VM_OK);
            break;
        case VMT_INVALIDATE:
            ck_assert_int_eq(vm_invalidate(&g->vm), VM_OK);
            break;
        case VMT_ALLOC:
            ck_assert_uint_lt(op.id, 8);
            base[op.id] = vm_alloc(&g->vm, op.len);
            ck_assert_uint_ne(base[op.id], VM_NULL);
            break;
        case VMT_FREE:
            ck_assert_int_eq(vm_free(&g->vm, base[op.id]), VM_OK);
            break;
        default:
            break;
        }
        n++;
    }
    ck_assert_int_eq(rc, 0);
    vmt_close(s);
    return n;
}

static void same_stats(const struct vm_stats *a, const struct vm_stats *b)
{
    ck_assert_uint_eq(a->hits, b->hits);
    ck_assert_uint_eq(a->misses, b->misses);
    ck_assert_uint_eq(a->loads, b->loads);
    ck_assert_uint_eq(a->evictions, b->evictions);
    ck_assert_uint_eq(a->writebacks, b->writebacks);
    ck_assert_uint_eq(a->bytes_read, b->bytes_read);
    ck_assert_uint_eq(a->bytes_written, b->bytes_written);
}

static void record_and_replay(const char *name)
{
    static struct rig g, h;
    char err[600];
    struct vmrec *r;
    struct vm_stats st;
    const char *path = tt_path(name);
    long n;
    rig_init(&g);
    r = vmrec_open(path, NULL, &g.vm, VMREC_DATA, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
#ifdef VMREC_TEST_WRAP
    vmrec_attach(r, &g.vm);
#else
    rec = r;
#endif
    program(&g.vm);
    st = *vm_stats(&g.vm);
    ck_assert_uint_gt(st.misses, 10);
    ck_assert_uint_eq(vmrec_unrecorded(r), 0);
    /* 2 allocs + 1000 writes + 334 reads + 500 reads + lock/unlock + memset + memmove
     * + flush + write + invalidate + free + alloc + 2 reads (+ 1 phase when explicit) */
#ifdef VMREC_TEST_WRAP
    ck_assert_uint_eq(vmrec_count(r), 2 + 1000 + 334 + 500 + 2 + 2 + 3 + 1 + 1 + 2);
#else
    ck_assert_uint_eq(vmrec_count(r), 2 + 1000 + 334 + 500 + 1 + 2 + 2 + 3 + 1 + 1 + 2);
#endif
    ck_assert_int_eq(vmrec_close(r, err, sizeof err), 0);
    rig_init(&h);
    n = replay(&h, path);
    ck_assert_int_gt(n, 1800);
    same_stats(&st, vm_stats(&h.vm));
    ck_assert_int_eq(memcmp(g.mem, h.mem, POOL), 0); /* the backing store ends up the same */
}

/* The program's own work, which no core call shows: vmrec_compute notes a
 * compute op (0 notes nothing), vmrec_lock_work the work of the locks after
 * it; both formats keep them. */
static void record_compute(const char *name)
{
    static struct rig g;
    char err[600];
    struct vm_lock lk;
    struct vmt_op op;
    struct vmt_source *s;
    const char *path = tt_path(name);
    struct vmrec *r;
    rig_init(&g);
    r = vmrec_open(path, NULL, &g.vm, 0, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    vmrec_compute(r, VMT_COMPUTE_CYCLES, 300);
    vmrec_lock_work(r, 12);
#ifdef VMREC_TEST_WRAP
    vmrec_attach(r, &g.vm);
    ck_assert_int_eq(vm_lock(&g.vm, 100, 16, VM_LOCK_RW, &lk), VM_OK);
    ck_assert_int_eq(vm_unlock(&g.vm, &lk), VM_OK);
#else
    ck_assert_int_eq(vmrec_lock(r, &g.vm, 100, 16, VM_LOCK_RW, &lk), VM_OK);
    ck_assert_int_eq(vmrec_unlock(r, &g.vm, &lk), VM_OK);
#endif
    vmrec_compute(r, VMT_COMPUTE_NS, 0);
    vmrec_compute(r, VMT_COMPUTE_NS, 77);
    vmrec_compute(r, 9, 1); /* no such unit: counted as unrecorded */
    ck_assert_uint_eq(vmrec_count(r), 4);
    ck_assert_uint_eq(vmrec_unrecorded(r), 1);
    ck_assert_int_eq(vmrec_close(r, err, sizeof err), 0);
    s = vmt_open(path, NULL, NULL, err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    ck_assert_int_eq(vmt_next(s, &op), 1);
    ck_assert_uint_eq(op.kind, VMT_COMPUTE);
    ck_assert_uint_eq(op.mode, VMT_COMPUTE_CYCLES);
    ck_assert_uint_eq(op.len, 300);
    ck_assert_int_eq(vmt_next(s, &op), 1);
    ck_assert_uint_eq(op.kind, VMT_LOCK);
    ck_assert_uint_eq(op.len, 16);
    ck_assert_uint_eq(op.work, 12);
    ck_assert_int_eq(vmt_next(s, &op), 1);
    ck_assert_uint_eq(op.kind, VMT_UNLOCK);
    ck_assert_int_eq(vmt_next(s, &op), 1);
    ck_assert_uint_eq(op.kind, VMT_COMPUTE);
    ck_assert_uint_eq(op.mode, VMT_COMPUTE_NS);
    ck_assert_uint_eq(op.len, 77);
    ck_assert_int_eq(vmt_next(s, &op), 0);
    vmt_close(s);
}

START_TEST(record_compute_binary) { record_compute("cpu.vmt"); }
END_TEST

START_TEST(record_compute_json) { record_compute("cpu.json"); }
END_TEST

START_TEST(record_binary) { record_and_replay("rec.vmt"); }
END_TEST

START_TEST(record_json)
{
    char err[600];
    struct vmt_source *s;
    record_and_replay("rec.json");
    s = vmt_open(tt_path("rec.json"), NULL, NULL, err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err); /* the JSON recording passes the strict JSON checks */
    vmt_close(s);
}
END_TEST

START_TEST(record_relative_to_allocations)
{
    /* Addresses inside allocations made while recording are region-relative. */
    char err[600];
    struct vmt_source *s;
    struct vmt_op op;
    int seen_region = 0, seen_abs = 0;
    record_and_replay("rel.vmt");
    s = vmt_open(tt_path("rel.vmt"), NULL, NULL, err, sizeof err);
    while (vmt_next(s, &op) == 1) {
        if (op.kind == VMT_WRITE && op.region == 1 && op.addr == 4 * 999) seen_region = 1;
        if (op.kind == VMT_WRITE && op.region == 0 && op.addr == 30000) seen_abs = 1;
    }
    ck_assert(seen_region && seen_abs);
    vmt_close(s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vmrec");
    TCase *tc = tcase_create("record");
    SRunner *sr;
    int failed;
    tcase_add_test(tc, record_binary);
    tcase_add_test(tc, record_compute_binary);
    tcase_add_test(tc, record_compute_json);
    tcase_add_test(tc, record_json);
    tcase_add_test(tc, record_relative_to_allocations);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
