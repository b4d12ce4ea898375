/*
 * test_ptr_cpp.cpp - the C++ wrapper (core/vm.hpp), suite "ptr". A plain
 * program: each CHECK failure prints file:line and exits 1.
 *
 * Differential: random operations through VPtr (p[i] reads and writes of
 * 1, 2, 4, 6 and 8-byte types, compound assignment, ++/--, pointer walking,
 * p->member through the pinning proxy, p.member(), RAII locks, the C library
 * overloads in every virtual/raw combination) against a plain array that
 * mirrors the pool, for several geometries; afterwards the flushed backend
 * must equal the array. The kernel shapes of bench/vm_kernels.c through
 * p[i], with the core's path counts printed and every typed path required
 * (run_kernels). Then: sticky errors, newClass/deleteClass, wrapped
 * pointers mixed with virtual ones, and a second, explicit instance.
 * Built with -fno-exceptions -fno-rtti, as on a board.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_ram.hpp"
#include "vm_wrap.h"

#define CHECK(c)                                                               \
    do {                                                                       \
        if (!(c)) {                                                            \
            fprintf(stderr, "%s:%d: check failed: %s (seed op %ld)\n", __FILE__, \
                    __LINE__, #c, cur_op);                                      \
            exit(1);                                                           \
        }                                                                      \
    } while (0)

using vmem::VPtr;

static long cur_op = -1;
static const vmem::Addr POOL = 8192;

struct rec {
    int16_t a;
    uint8_t b;
    uint8_t c[3];
};

static uint8_t ref[POOL];
static uint32_t rng;
static uint32_t rnd()
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}
static uint32_t below(uint32_t n) { return rnd() % n; }

/* Base address and index with the element inside the pool. */
template <class T, class B> static VPtr<T, B> pick(int32_t *i)
{
    vmem::Addr b = below(POOL - sizeof(T) + 1u);
    vmem::Addr room = (POOL - b) / sizeof(T);
    *i = static_cast<int32_t>(below(room < 64u ? room : 64u));
    return VPtr<T, B>::at(b);
}

template <class T, class B> static void diff_get()
{
    int32_t i;
    VPtr<T, B> p = pick<T, B>(&i);
    T v = p[i], want;
    memcpy(&want, ref + p.addr() + i * sizeof(T), sizeof(T));
    CHECK(memcmp(&v, &want, sizeof(T)) == 0);
    /* the same element through *(p + i) */
    T w = *(p + i);
    CHECK(memcmp(&w, &want, sizeof(T)) == 0);
}

template <class T, class B> static void diff_set()
{
    int32_t i;
    VPtr<T, B> p = pick<T, B>(&i);
    T v;
    for (unsigned k = 0; k < sizeof(T); k++)
        reinterpret_cast<uint8_t *>(&v)[k] = static_cast<uint8_t>(rnd());
    p[i] = v;
    memcpy(ref + p.addr() + i * sizeof(T), &v, sizeof(T));
}

template <class B> static void op_compound()
{
    int32_t i;
    VPtr<uint16_t, B> p = pick<uint16_t, B>(&i);
    uint16_t want;
    uint8_t *r = ref + p.addr() + i * 2;
    memcpy(&want, r, 2);
    switch (below(5)) {
    case 0: {
        uint16_t k = static_cast<uint16_t>(rnd());
        p[i] += k;
        want = static_cast<uint16_t>(want + k);
        break;
    }
    case 1:
        ++p[i];
        want++;
        break;
    case 2: {
        uint16_t old = p[i]--;
        CHECK(old == want);
        want--;
        break;
    }
    case 3:
        p[i] ^= 0x5A5Au;
        want ^= 0x5A5Au;
        break;
    default:
        p[i] <<= 1;
        want = static_cast<uint16_t>(want << 1);
        break;
    }
    memcpy(r, &want, 2);
    uint16_t got = p[i];
    CHECK(got == want);
}

template <class B> static void op_walk()
{
    /* Walk bytes with ++ and write through *q, then read back with p[k]. */
    vmem::Addr b = below(POOL - 100u);
    VPtr<uint8_t, B> p = VPtr<uint8_t, B>::at(b), q = p;
    uint32_t n = 1 + below(99);
    for (uint32_t k = 0; k < n; k++) {
        *q++ = static_cast<uint8_t>(k * 7u);
        ref[b + k] = static_cast<uint8_t>(k * 7u);
    }
    CHECK(q - p == static_cast<int32_t>(n));
    CHECK(q > p && p < q && q != p && !(q == p) && p <= p && q >= p);
    CHECK(&p[n] == q);
    while (q != p) {
        --q;
        CHECK(*q == ref[q.addr()]);
    }
}

template <class B> static void op_member()
{
    int32_t i;
    VPtr<rec, B> p = pick<rec, B>(&i);
    p += i;
    rec want;
    memcpy(&want, ref + p.addr(), sizeof want);
    switch (below(5)) {
    case 0: {
        int16_t a = p->a; /* pinned read */
        CHECK(a == want.a);
        CHECK(p->c[2] == want.c[2]);
        break;
    }
    case 1: {
        int16_t a = static_cast<int16_t>(rnd());
        p->a = a; /* pinned write */
        memcpy(ref + p.addr(), &a, 2);
        break;
    }
    case 2: {
        uint8_t c = static_cast<uint8_t>(rnd());
        p->c[1] = c;
        ref[p.addr() + 4] = c;
        break;
    }
    case 3: {
        uint8_t b = p.member(&rec::b);
        CHECK(b == want.b);
        break;
    }
    default: {
        int16_t a = static_cast<int16_t>(rnd());
        p.member(&rec::a) = a;
        memcpy(ref + p.addr(), &a, 2);
        break;
    }
    }
}

template <class B> static void op_bulk()
{
    static uint8_t buf[700];
    vmem::Addr b = below(POOL - 2u);
    vmem::Addr lim = POOL - b;
    size_t n = 1 + below(lim < 600u ? lim : 600u);
    VPtr<char, B> p = VPtr<char, B>::at(b);
    switch (below(7)) {
    case 0: /* virtual -> raw */
        CHECK(memcpy(buf, p, n) == buf);
        CHECK(memcmp(buf, ref + b, n) == 0);
        break;
    case 1: /* raw -> virtual */
        for (size_t k = 0; k < n; k++)
            buf[k] = static_cast<uint8_t>(rnd());
        CHECK(memcpy(p, buf, n) == p);
        memcpy(ref + b, buf, n);
        break;
    case 2: { /* virtual -> virtual, maybe overlapping */
        vmem::Addr d = below(POOL - static_cast<vmem::Addr>(n) + 1u);
        memmove(VPtr<uint8_t, B>::at(d), p, n);
        memmove(ref + d, ref + b, n);
        break;
    }
    case 3: {
        int c = static_cast<int>(below(256));
        memset(p, c, n);
        memset(ref + b, c, n);
        break;
    }
    case 4: { /* memcmp in all three forms, equal and not */
        vmem::Addr d = below(POOL - static_cast<vmem::Addr>(n) + 1u);
        int w = memcmp(ref + b, ref + d, n);
        int g = memcmp(p, VPtr<char, B>::at(d), n);
        CHECK((w < 0) == (g < 0) && (w > 0) == (g > 0));
        g = memcmp(p, ref + d, n);
        CHECK((w < 0) == (g < 0) && (w > 0) == (g > 0));
        g = memcmp(ref + b, VPtr<char, B>::at(d), n);
        CHECK((w < 0) == (g < 0) && (w > 0) == (g > 0));
        CHECK(memcmp(p, ref + b, n) == 0);
        break;
    }
    case 5: { /* strings: make one, measure, copy, compare */
        if (n < 2 || b + 2 * n > POOL)
            break;
        for (size_t k = 0; k + 1 < n; k++)
            buf[k] = static_cast<uint8_t>('a' + below(26));
        buf[n - 1] = 0;
        strcpy(p, reinterpret_cast<const char *>(buf));
        memcpy(ref + b, buf, n);
        CHECK(strlen(p) == n - 1);
        CHECK(strcmp(p, reinterpret_cast<const char *>(buf)) == 0);
        VPtr<char, B> q = p + static_cast<int32_t>(n);
        strcpy(q, p);
        memcpy(ref + b + n, buf, n);
        CHECK(strcmp(q, p) == 0);
        q[0] = 'z' + 1; /* now q > p */
        ref[b + n] = 'z' + 1;
        CHECK(strcmp(q, p) > 0 && strcmp(p, q) < 0);
        CHECK(strcmp(reinterpret_cast<const char *>(buf), q) < 0);
        static char back[700];
        strcpy(back, q);
        CHECK(memcmp(back, ref + b + n, n) == 0);
        break;
    }
    default: { /* strncpy pads */
        if (n < 8 || b + 2 * n > POOL)
            break;
        VPtr<char, B> q = p + static_cast<int32_t>(n);
        p[3] = 0;
        ref[b + 3] = 0;
        strncpy(q, p, n);
        size_t len = 0;
        while (ref[b + len] != 0)
            len++;
        memmove(ref + b + n, ref + b, len);
        memset(ref + b + n + len, 0, n - len);
        break;
    }
    }
}

template <class B> static void op_lock()
{
    int32_t i;
    VPtr<uint32_t, B> p = pick<uint32_t, B>(&i);
    p = VPtr<uint32_t, B>::at(p.addr() & ~3u); /* a T& needs T's alignment */
    size_t n = 1 + below(8);
    if (p.addr() + 4 * n > POOL)
        n = (POOL - p.addr()) / 4;
    {
        /* A range that straddles pages and does not fit the bounce buffer is
         * trimmed at the boundary: count() may be below n, even 0. */
        vmem::Lock<uint32_t, B> lk(p, n, below(2) ? VM_LOCK_RW : VM_LOCK_RO);
        CHECK(lk.ok());
        CHECK(lk.count() <= n && lk.bytes() >= 1);
        for (size_t k = 0; k < lk.count(); k++) {
            uint32_t want;
            memcpy(&want, ref + p.addr() + 4 * k, 4);
            CHECK(memcmp(&lk[k], &want, 4) == 0);
        }
    }
    vmem::Lock<uint32_t, B> w(p, 1, VM_LOCK_RW);
    CHECK(w.ok());
    uint32_t v = rnd();
    memcpy(w.get(), &v, 4);
    memcpy(ref + p.addr(), &v, 4);
}

/* unbind: leave the default instance's Pool without a pager while the run
 * goes on (a vmem::Fixed binding must never need it: any use would crash). */
template <class B, class Store> static void run_diff(Store &st, uint32_t seed, bool unbind = false)
{
    CHECK(st.start() == VM_OK);
    if (unbind)
        vmem::pool().bind(nullptr);
    rng = seed;
    for (vmem::Addr k = 0; k < POOL; k++)
        ref[k] = st.memory()[k] = static_cast<uint8_t>(rnd());
    const char *sc = getenv("VM_TEST_SCALE");
    long pct = sc ? strtol(sc, nullptr, 10) : 100;
    long nops = 20000L * (pct > 0 ? pct : 100) / 100;
    for (cur_op = 0; cur_op < nops; cur_op++) {
        switch (below(14)) {
        case 0: diff_get<uint8_t, B>(); break;
        case 1: diff_set<uint8_t, B>(); break;
        case 2: diff_get<int16_t, B>(); break;
        case 3: diff_set<int16_t, B>(); break;
        case 4: diff_get<uint32_t, B>(); break;
        case 5: diff_set<uint32_t, B>(); break;
        case 6: diff_get<uint64_t, B>(); break;
        case 7: diff_set<uint64_t, B>(); break;
        case 8: diff_get<rec, B>(); break;
        case 9: diff_set<rec, B>(); break;
        case 10: op_compound<B>(); break;
        case 11: op_walk<B>(); break;
        case 12: op_member<B>(); break;
        default:
            if (below(3))
                op_bulk<B>();
            else
                op_lock<B>();
        }
        if (cur_op % 1000 == 0)
            CHECK(vm_check(st.vm()) == VM_OK);
    }
    cur_op = -1;
    CHECK(B::pool().error() == VM_OK);
    CHECK(vm_check(st.vm()) == VM_OK);
    CHECK(vm_flush(st.vm()) == VM_OK);
    CHECK(memcmp(st.memory(), ref, POOL) == 0);
}

/* The loops users write, through p[i] (the shapes of bench/vm_kernels.h and
 * of its C++ kernels, bench/vm_kernels_vptr.cpp): fill of never-read pages
 * ascending and descending, read-back, copy (d[i] = s[i]), fields
 * straddling page ends (typed pointers at the fields, and p.member() of
 * the struct kernel's 12-byte struct), a strided walk over the resident
 * pages, random typed access inside the working set; every read checked
 * against the mirror, and the flushed backend against it at the end. The
 * reads checked and the core's path counts over the run are printed; every
 * inline and out-of-line typed path must have been taken, and the reads
 * checked must be those the loops make (none skipped, none missing). */
static unsigned long checked; /* reads compared with the mirror, but random ones */

template <class T, class B> static void k_fill(vmem::Addr a, unsigned n, bool down)
{
    VPtr<T, B> p = VPtr<T, B>::at(a);
    for (unsigned k = 0; k < n; k++) {
        unsigned i = down ? n - 1u - k : k;
        T v = static_cast<T>(rnd());
        p[i] = v;
        memcpy(ref + a + i * sizeof(T), &v, sizeof(T));
    }
}
template <class T, class B> static void k_read(vmem::Addr a, unsigned n)
{
    VPtr<T, B> p = VPtr<T, B>::at(a);
    for (unsigned i = 0; i < n; i++) {
        T v = p[i];
        CHECK(memcmp(&v, ref + a + i * sizeof(T), sizeof(T)) == 0);
        checked++;
    }
}
template <class T, class B> static void k_copy(vmem::Addr dst, vmem::Addr src, unsigned n)
{
    VPtr<T, B> d = VPtr<T, B>::at(dst), s = VPtr<T, B>::at(src);
    for (unsigned i = 0; i < n; i++) {
        d[i] = s[i]; /* Ref = Ref: a read, then a write */
        memmove(ref + dst + i * sizeof(T), ref + src + i * sizeof(T), sizeof(T));
    }
}

struct kstruct {
    uint16_t a;
    uint16_t pad;
    uint32_t b;
    uint32_t c;
};

template <class B, class Store>
static void run_kernels(Store &st, unsigned ps, unsigned pc, bool unbind = false)
{
    CHECK(st.start() == VM_OK);
    if (unbind)
        vmem::pool().bind(nullptr);
    checked = 0;
    rng = 99u;
    for (vmem::Addr k = 0; k < POOL; k++)
        ref[k] = st.memory()[k] = static_cast<uint8_t>(rnd());
    const unsigned ws = ps * pc, big = ps * (pc + 2u);
#if VM_CONFIG_PATHS
    vm_count_t before[VM_PATH_COUNT];
    memcpy(before, vm_stats(st.vm())->path, sizeof before);
#endif
    k_fill<uint8_t, B>(0, big, false);
    k_read<uint8_t, B>(0, big);
    k_fill<uint16_t, B>(1024, big / 2u, false);
    k_read<uint16_t, B>(1024, big / 2u);
    k_fill<uint32_t, B>(2048, big / 4u, true);
    k_read<uint32_t, B>(2048, big / 4u);
    k_fill<uint8_t, B>(3072, big, true);
    k_copy<uint8_t, B>(4096, 0, big);
    k_copy<uint16_t, B>(4096 + 1024, 1024, big / 2u);
    k_copy<uint32_t, B>(4096, 2048, big / 4u);
    /* Packed {u8; u16; u32} records every 7 bytes from a page end - 3. */
    for (unsigned r = 0; r < big / 7u; r++) {
        vmem::Addr a = 6144 + ps - 3u + 7u * r;
        VPtr<uint32_t, B> b = VPtr<uint32_t, B>::at(a + 3u);
        VPtr<uint16_t, B> f = VPtr<uint16_t, B>::at(a + 1u);
        uint32_t x = b[0];
        uint16_t y = f[0];
        CHECK(memcmp(&x, ref + a + 3u, 4) == 0 && memcmp(&y, ref + a + 1u, 2) == 0);
        checked += 2;
        x += 1u;
        y = static_cast<uint16_t>(y ^ 0x5A5Au);
        b[0] = x;
        f[0] = y;
        memcpy(ref + a + 3u, &x, 4);
        memcpy(ref + a + 1u, &y, 2);
    }
    /* The struct kernel's {u16 a; u16 pad; u32 b; u32 c} from a page end
     * - 6 (b straddles), a += 1 and b += a through the member proxies. */
    VPtr<kstruct, B> ks = VPtr<kstruct, B>::at(ps - 6u);
    for (unsigned k = 0; k < big / 12u - 1u; k++) {
        VPtr<kstruct, B> q = ks + static_cast<int32_t>(k);
        uint8_t *r = ref + q.addr();
        vmem::Ref<uint16_t, B> fa = q.member(&kstruct::a);
        uint16_t a = fa, want_a;
        uint32_t want_b;
        memcpy(&want_a, r, 2);
        memcpy(&want_b, r + 4, 4);
        CHECK(a == want_a);
        fa = static_cast<uint16_t>(a + 1u);
        q.member(&kstruct::b) += a;
        want_a = static_cast<uint16_t>(a + 1u);
        want_b += a;
        memcpy(r, &want_a, 2);
        memcpy(r + 4, &want_b, 4);
        CHECK(q.member(&kstruct::b) == want_b);
        checked += 2;
    }
    /* Strided: byte j of every resident page in turn. */
    VPtr<uint8_t, B> s8 = VPtr<uint8_t, B>::at(0);
    for (unsigned j = 0; j < ps; j++)
        for (unsigned p = 0; p < pc; p++) {
            unsigned i = p * ps + j;
            uint8_t v = s8[i];
            CHECK(v == ref[i]);
            checked++;
            s8[i] = static_cast<uint8_t>(v + 1u);
            ref[i] = static_cast<uint8_t>(v + 1u);
        }
    /* Random typed access inside the working set. */
    unsigned long random_reads = 0;
    for (unsigned k = 0; k < 4000; k++) {
        unsigned w = 1u << below(3);
        vmem::Addr a = 2048 + below(ws - w + 1u);
        if (below(3) == 0) {
            uint32_t v = rnd();
            if (w == 1) VPtr<uint8_t, B>::at(a)[0] = static_cast<uint8_t>(v);
            else if (w == 2) VPtr<uint16_t, B>::at(a)[0] = static_cast<uint16_t>(v);
            else VPtr<uint32_t, B>::at(a)[0] = v;
            memcpy(ref + a, &v, w); /* little-endian host: the low bytes */
        } else {
            uint32_t v = 0;
            if (w == 1) v = VPtr<uint8_t, B>::at(a)[0];
            else if (w == 2) v = VPtr<uint16_t, B>::at(a)[0];
            else v = VPtr<uint32_t, B>::at(a)[0];
            CHECK(memcmp(&v, ref + a, w) == 0);
            random_reads++;
        }
    }
    CHECK(B::pool().error() == VM_OK);
    CHECK(vm_check(st.vm()) == VM_OK);
    printf("VPtr kernels, %u x %u B pages: %lu reads checked, and %lu random ones\n", pc, ps,
           checked, random_reads);
    /* Every read of the read-backs, the fields and the strided walk. */
    CHECK(checked == big + big / 2u + big / 4u + 2u * (big / 7u) + 2u * (big / 12u - 1u) + ws);
    CHECK(random_reads > 0);
#if VM_CONFIG_PATHS
    const vm_count_t *after = vm_stats(st.vm())->path;
    printf("VPtr kernels, %u x %u B pages: paths taken\n", pc, ps);
    for (unsigned p = 0; p < VM_PATH_COUNT; p++)
        printf("  %-14s %8lu\n", vm_path_name(p), static_cast<unsigned long>(after[p] - before[p]));
    static const unsigned must[] = {VM_PATH_GET_HOT, VM_PATH_SET_HOT, VM_PATH_SET_GROW,
                                    VM_PATH_GET_SLOW, VM_PATH_SET_SLOW, VM_PATH_READ,
                                    VM_PATH_TOUCH_HIT, VM_PATH_TOUCH_MISS};
    for (unsigned p : must) {
        if (after[p] == before[p])
            fprintf(stderr, "VPtr kernels never took path %s\n", vm_path_name(p));
        CHECK(after[p] > before[p]);
    }
#endif
    CHECK(vm_flush(st.vm()) == VM_OK);
    CHECK(memcmp(st.memory(), ref, POOL) == 0);
}

static vmem::RamStore<POOL, 16, 3> store16;
static vmem::RamStore<POOL, 64, 4> store64;
static vmem::RamStore<POOL, 256, 2> store256;
static vmem::RamStore<POOL, 32, 8> store_b;
static vmem::RamStore<POOL, 64, 4> store_k;

/* The same stores through bindings fixed at their addresses (what a sketch
 * writes for speed): the pager's fields at link-time constant addresses,
 * the errors recorded in the default instance's Pool. */
typedef VMEM_FIXED(store16) Fixed16;
typedef vmem::Fixed<decltype(store64), &store64> Fixed64;
typedef VMEM_FIXED(store256) Fixed256;
typedef VMEM_FIXED(store_b) FixedB;
typedef VMEM_FIXED(store_k) FixedK;
static_assert(!vmem::detail::Same<VPtr<uint8_t, Fixed64>, VPtr<uint8_t> >::value,
              "a fixed binding's pointers are another type");

static int handler_calls;
static void on_error(int, vmem::Addr) { handler_calls++; }

static void test_errors()
{
    CHECK(store64.start() == VM_OK);
    vmem::Pool &pl = vmem::pool();
    pl.setErrorHandler(on_error);
    VPtr<uint32_t> p = VPtr<uint32_t>::at(POOL - 2u);
    uint32_t v = *p; /* out of range */
    CHECK(v == 0);
    CHECK(pl.error() == VM_ERR_RANGE);
    *p = 7u; /* also fails; the first error sticks */
    VPtr<char> big = big.alloc(POOL * 2u);
    CHECK(!big);
    CHECK(pl.error() == VM_ERR_RANGE);
    CHECK(pl.takeError() == VM_ERR_RANGE);
    CHECK(pl.ok());
    CHECK(handler_calls == 3);
    big = VPtr<char>::alloc(POOL * 2u);
    CHECK(pl.takeError() == VM_ERR_NOMEM);
    CHECK(VPtr<rec>::allocArray(0xFFFFFFFFu / 2u) == nullptr);
    CHECK(pl.takeError() == VM_ERR_NOMEM);
    CHECK(strlen(VPtr<char>::at(POOL + 5u)) == 0);
    CHECK(pl.takeError() == VM_ERR_RANGE);
    /* a failed member write changes nothing and is recorded */
    VPtr<rec> r = VPtr<rec>::at(POOL - 3u);
    r->a = 5;
    CHECK(pl.takeError() == VM_ERR_RANGE);
    pl.setErrorHandler(nullptr);
}

struct Counted {
    static int live;
    uint16_t id;
    uint32_t sum;
    Counted(uint16_t i, uint32_t s) : id(i), sum(s) { live++; }
    ~Counted() { live--; }
};
int Counted::live;

static void test_objects()
{
    CHECK(store16.start() == VM_OK);
    VPtr<Counted> objs[10];
    for (int k = 0; k < 10; k++) {
        objs[k] = VPtr<Counted>::newClass(static_cast<uint16_t>(k), 1000u + k);
        CHECK(objs[k]);
    }
    CHECK(Counted::live == 10);
    for (int k = 0; k < 10; k++) {
        CHECK(objs[k]->id == k);
        CHECK(objs[k]->sum == 1000u + k);
        objs[k]->sum += 1;
    }
    for (int k = 0; k < 10; k++)
        CHECK(objs[k]->sum == 1001u + k);
    for (int k = 0; k < 10; k++)
        VPtr<Counted>::deleteClass(objs[k]);
    CHECK(Counted::live == 0);
    struct vm_heap_stats hs;
    vm_heap_stats(store16.vm(), &hs);
    CHECK(hs.blocks == 0);
    CHECK(vmem::pool().ok());
    /* A T larger than a page (100 B, 16-byte pages): -> works on a stack
     * copy, read first and written back at the end of the statement. */
    struct Big {
        uint8_t d[100];
    };
    VPtr<Big> bg = VPtr<Big>::alloc();
    CHECK(bg);
    memset(bg, 0, sizeof(Big));
    for (int k = 0; k < 100; k += 7)
        bg->d[k] = static_cast<uint8_t>(k + 1);
    for (int k = 0; k < 100; k++)
        CHECK(bg->d[k] == (k % 7 ? 0 : k + 1));
    CHECK(bg.cast<uint8_t>()[98] == 99);
    VPtr<Big>::free(bg);
    CHECK(vmem::pool().ok());
    /* The demo, in place. */
    VPtr<char> str = str.alloc(1000);
    memset(str, 'A', 1000);
    str[1] = 'B';
    CHECK(str[0] == 'A' && str[1] == 'B' && str[999] == 'A');
    VPtr<rec> ms = ms.alloc();
    ms->a = 5;
    ms->b = 15;
    CHECK(ms->a == 5 && ms->b == 15);
    VPtr<rec>::free(ms);
    VPtr<char>::free(str);
    CHECK(vmem::pool().ok());
}

static void test_wrapped()
{
    static uint8_t ramb[3000], want[3000];
    CHECK(store64.start() == VM_OK);
    vm_set_wrap_base(store64.vm(), ramb);
    rng = 77;
    for (vmem::Addr k = 0; k < POOL; k++)
        ref[k] = store64.memory()[k] = static_cast<uint8_t>(rnd());
    for (size_t k = 0; k < sizeof ramb; k++)
        ramb[k] = want[k] = static_cast<uint8_t>(rnd());
    VPtr<uint8_t> w = VPtr<uint8_t>::wrap(ramb);
    CHECK(w.isWrapped() && w.unwrap() == ramb);
    CHECK((w + 17).unwrap() == ramb + 17);
    CHECK(VPtr<uint8_t>::at(5).isWrapped() == false);
    /* Element access through a wrapped pointer is plain RAM access. */
    w[10] = 0xAB;
    want[10] = 0xAB;
    VPtr<uint32_t> w32 = (w + 1).cast<uint32_t>();
    w32[3] = 0x11223344u;
    uint32_t x = 0x11223344u;
    memcpy(want + 13, &x, 4);
    CHECK(memcmp(ramb, want, sizeof ramb) == 0);
    CHECK(w32[3] == 0x11223344u);
    /* One function serves both kinds. */
    struct F {
        static uint32_t sum(VPtr<uint8_t> p, int n)
        {
            uint32_t s = 0;
            for (int k = 0; k < n; k++)
                s += p[k];
            return s;
        }
    };
    uint32_t s1 = 0, s2 = 0;
    for (int k = 0; k < 500; k++) {
        s1 += want[k];
        s2 += ref[1000 + k];
    }
    CHECK(F::sum(w, 500) == s1);
    CHECK(F::sum(VPtr<uint8_t>::at(1000), 500) == s2);
    /* Bulk copies, wrapped -> virtual and virtual -> wrapped, across pages. */
    memcpy(VPtr<uint8_t>::at(333), w + 5, 2500);
    memcpy(ref + 333, want + 5, 2500);
    memcpy(w + 100, VPtr<uint8_t>::at(5000), 2900);
    memcpy(want + 100, ref + 5000, 2900);
    CHECK(memcmp(ramb, want, sizeof ramb) == 0);
    CHECK(memcmp(VPtr<uint8_t>::at(333), ref + 333, 2500) == 0);
    CHECK(memcmp(VPtr<uint8_t>::at(5000), w + 100, 2900) == 0);
    {
        vmem::Lock<uint8_t> lk(w + 7, 100, VM_LOCK_RW);
        CHECK(lk.ok() && lk.get() == ramb + 7 && lk.count() == 100);
        lk[0] = 1;
        want[7] = 1;
    }
    memset(w, 'q', 10);
    memset(want, 'q', 10);
    /* strcmp against a RAM string inside the wrappable region: vm_strcmp on
     * the wrapped address. */
    memcpy(ramb + 2000, "hello", 6);
    memcpy(want + 2000, "hello", 6);
    strcpy(VPtr<char>::at(6000), "hello");
    memcpy(ref + 6000, "hello", 6);
    const char *h = reinterpret_cast<const char *>(ramb + 2000);
    CHECK(strcmp(VPtr<char>::at(6000), h) == 0);
    CHECK(strcmp(VPtr<char>::at(6001), h) < 0); /* "ello" < "hello" */
    CHECK(strcmp(h, VPtr<char>::at(6001)) > 0);
    CHECK(strcmp(VPtr<char>::at(6000), "hellp") < 0); /* not wrappable: byte path */
    CHECK(memcmp(ramb, want, sizeof ramb) == 0);
    CHECK(vmem::pool().ok());
    CHECK(vm_flush(store64.vm()) == VM_OK);
    CHECK(memcmp(store64.memory(), ref, POOL) == 0);
    vm_set_wrap_base(store64.vm(), nullptr);
}

/* A faulty backend: every failure is recorded in the Pool; a failed read
 * yields T() and a read that succeeds is the true value. The pager (as
 * store16's: 3 x 16-byte pages, a bounce buffer) pages a vm_ram through a
 * vm_wrap that injects the faults. */
static struct vm fault_vm;
template <class B> static void test_faults(struct vm *bind_to)
{
    static uint8_t mem[POOL];
    static uint32_t pages[3 * 16 / 4], bounce[16 / 4];
    static struct vm_slot slots[3];
    struct vm &v = fault_vm;
    static struct vm_ram ram;
    static struct vm_wrap w;
    struct vm_config cfg;
    memset(&cfg, 0, sizeof cfg);
    vm_ram_init(&ram, mem, sizeof mem);
    vm_wrap_init(&w, &ram.backend);
    cfg.backend = &w.backend;
    cfg.page_size = 16;
    cfg.page_count = 3;
    cfg.pages = pages;
    cfg.pages_size = sizeof pages;
    cfg.slots = slots;
    cfg.slot_count = 3;
#if VM_CONFIG_BOUNCE
    cfg.bounce = bounce;
    cfg.bounce_size = sizeof bounce;
#endif
    CHECK(vm_init(&v, &cfg) == VM_OK);
    vmem::Pool &pl = B::pool();
    pl.bind(bind_to);
    rng = 99;
    for (vmem::Addr k = 0; k < POOL; k++)
        ref[k] = mem[k] = static_cast<uint8_t>(rnd());
    vm_wrap_faults(&w, 4242u, 4000, 4000);
    int fails = 0;
    for (cur_op = 0; cur_op < 20000; cur_op++) {
        vmem::Addr b = below(POOL - 8u);
        if (below(2)) {
            uint8_t v = static_cast<uint8_t>(rnd());
            VPtr<uint8_t, B>::at(b)[0] = v;
            if (pl.ok())
                ref[b] = v;
        } else {
            uint32_t v = *VPtr<uint32_t, B>::at(b), want;
            memcpy(&want, ref + b, 4);
            CHECK(pl.ok() ? v == want : v == 0);
        }
        if (!pl.ok()) {
            CHECK(pl.takeError() < 0);
            fails++;
        }
    }
    cur_op = -1;
    CHECK(fails > 0);
    vm_wrap_faults(&w, 0, 0, 0);
    CHECK(vm_flush(&v) == VM_OK);
    CHECK(memcmp(mem, ref, POOL) == 0);
}

/* VPtr<const T>: -> takes read-only locks, so reading never dirties a page;
 * through a VPtr<T> the same read marks the struct dirty (documented). */
static void test_const()
{
    CHECK(store64.start() == VM_OK);
    VPtr<rec> p = VPtr<rec>::allocArray(50);
    CHECK(p);
    for (int k = 0; k < 50; k++) {
        rec r = {static_cast<int16_t>(k - 25), static_cast<uint8_t>(k), {1, 2, 3}};
        p[k] = r;
    }
    VPtr<char> s = VPtr<char>::alloc(32);
    strcpy(s, "hello");
    CHECK(vm_flush(store64.vm()) == VM_OK);
    vm_count_t writes = store64.backend()->writes;
    VPtr<const rec> cp = p; /* VPtr<T> -> VPtr<const T> */
    VPtr<const char> cs = s;
    long sum = 0;
    for (int k = 0; k < 50; k++) {
        sum += (cp + k)->a;
        rec r = cp[k];
        CHECK(r.b == k && r.c[2] == 3);
        sum += (cp + k).member(&rec::b);
    }
    CHECK(sum == (0 - 25 + 24) * 50 / 2 + 49 * 50 / 2);
    CHECK(strlen(cs) == 5 && strcmp(cs, "hello") == 0 && strcmp(s, cs) == 0);
    {
        vmem::Lock<const rec> lk(cp + 10, 2); /* read-only by default */
        CHECK(lk.ok() && lk->a == -15);
    }
    CHECK(vm_flush(store64.vm()) == VM_OK);
    CHECK(store64.backend()->writes == writes);
    /* The same reads through VPtr<rec>: -> locks read-write. */
    sum = 0;
    for (int k = 0; k < 50; k++)
        sum += (p + k)->a;
    CHECK(vm_flush(store64.vm()) == VM_OK);
    CHECK(store64.backend()->writes > writes);
    CHECK(vmem::pool().ok());
}

/* Without a bounce buffer, p->m on a struct that straddles two pages cannot
 * be locked in place: Pinned copies it to the stack and writes it back. */
typedef vmem::Instance<2> NoBounce;
static void test_pinned_fallback()
{
    static uint8_t mem[1024];
    static uint32_t pages[2 * 16 / 4];
    static struct vm_slot slots[2];
    static struct vm v;
    static struct vm_ram ram;
    struct vm_config cfg;
    memset(&cfg, 0, sizeof cfg);
    memset(mem, 0, sizeof mem);
    vm_ram_init(&ram, mem, sizeof mem);
    cfg.backend = &ram.backend;
    cfg.page_size = 16;
    cfg.page_count = 2;
    cfg.pages = pages;
    cfg.pages_size = sizeof pages;
    cfg.slots = slots;
    cfg.slot_count = 2;
    CHECK(vm_init(&v, &cfg) == VM_OK);
    NoBounce::pool().bind(&v);
    for (vmem::Addr base = 0; base < 64; base++) { /* every offset in a page */
        VPtr<rec, NoBounce> p = VPtr<rec, NoBounce>::at(200 + base * 8);
        p->a = static_cast<int16_t>(base * 100);
        p->c[2] = static_cast<uint8_t>(base);
        CHECK(p->a == static_cast<int16_t>(base * 100));
        VPtr<const rec, NoBounce> c = p;
        CHECK(c->c[2] == base);
    }
    CHECK(NoBounce::pool().ok());
    CHECK(vm_check(&v) == VM_OK);
    CHECK(vm_flush(&v) == VM_OK);
    for (vmem::Addr base = 0; base < 64; base++) {
        rec r;
        memcpy(&r, mem + 200 + base * 8, sizeof r);
        CHECK(r.a == static_cast<int16_t>(base * 100) && r.c[2] == base);
    }
    /* Each -> in a statement holds its page until the end of the statement:
     * two fit in two slots; a third page cannot be loaded (VM_ERR_BUSY),
     * and the error is recorded, not hidden. */
    VPtr<rec, NoBounce> a = VPtr<rec, NoBounce>::at(0), b = VPtr<rec, NoBounce>::at(512);
    VPtr<rec, NoBounce> c = VPtr<rec, NoBounce>::at(800);
    b->a = 7;
    a->a = b->a; /* two pages: fine */
    CHECK(NoBounce::pool().ok());
    CHECK(a->a == 7);
    a->a = static_cast<int16_t>(b->a + c->a); /* three pages, two slots */
    CHECK(NoBounce::pool().takeError() == VM_ERR_BUSY);
    CHECK(vm_check(&v) == VM_OK);
}

/* A second instance, bound explicitly: its pointers are another type. */
typedef vmem::Instance<1> Second;
static void test_second_instance()
{
    CHECK(store64.start() == VM_OK);
    CHECK(store_b.start(Second::pool()) == VM_OK);
    VPtr<uint16_t, Second> q = VPtr<uint16_t, Second>::alloc(200);
    VPtr<uint16_t> p = VPtr<uint16_t>::alloc(200);
    CHECK(q && p);
    for (int k = 0; k < 100; k++) {
        q[k] = static_cast<uint16_t>(k * 3);
        p[k] = static_cast<uint16_t>(k * 5);
    }
    for (int k = 0; k < 100; k++)
        CHECK(q[k] == k * 3 && p[k] == k * 5);
    *(q + 5000) = 1; /* out of range: recorded in Second's pool only */
    CHECK(Second::pool().takeError() == VM_ERR_RANGE);
    CHECK(vmem::pool().ok());
    CHECK(vm_flush(store_b.vm()) == VM_OK);
    uint16_t v;
    memcpy(&v, store_b.memory() + q.addr() + 20, 2);
    CHECK(v == 30);
}

/* A fixed binding on a plain struct vm, its errors in a Pool of their own:
 * none may reach the default instance's. */
typedef vmem::Fixed<struct vm, &fault_vm, vmem::Instance<3> > FaultFixed;

int main()
{
    using vmem::Default;
    run_diff<Default>(store16, 1u);
    run_diff<Default>(store64, 2u);
    run_diff<Default>(store256, 3u);
    run_diff<Default>(store_b, 4u);
    run_kernels<Default>(store_k, 64, 4);
    run_kernels<Default>(store16, 16, 3);
    run_kernels<Default>(store_b, 32, 8);
    run_kernels<Default>(store256, 256, 2);
    /* The same through the fixed bindings, the default Pool unbound. */
    run_diff<Fixed16>(store16, 5u, true);
    run_diff<Fixed64>(store64, 6u, true);
    run_diff<Fixed256>(store256, 7u, true);
    run_diff<FixedB>(store_b, 8u, true);
    run_kernels<FixedK>(store_k, 64, 4, true);
    run_kernels<Fixed16>(store16, 16, 3, true);
    run_kernels<FixedB>(store_b, 32, 8, true);
    run_kernels<Fixed256>(store256, 256, 2, true);
    test_errors();
    test_faults<Default>(&fault_vm);
    CHECK(vmem::pool().ok());
    test_faults<FaultFixed>(nullptr);
    CHECK(vmem::pool().ok() && FaultFixed::pool().ok());
    test_objects();
    test_wrapped();
    test_const();
    test_pinned_fallback();
    test_second_instance();
    printf("ptr C++ wrapper: all checks passed\n");
    return 0;
}
