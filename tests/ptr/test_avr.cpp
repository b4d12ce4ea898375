/*
 * test_avr.cpp - compile check for avr-g++ (see avr_compile.sh): instantiates
 * every template of core/vm.hpp, through the default binding and through
 * vmem::Fixed ones (on a global and on a static struct vm, and on a pool
 * object), so that the whole wrapper is known to build with -std=c++11 -Os
 * -fno-exceptions -fno-rtti without a warning.
 * Never linked or run; the host tests (test_ptr_cpp.cpp) check behaviour.
 */
#include <Arduino.h>
#include <vm.hpp>
#include <vm_ram.hpp>

using namespace vmem;

struct Point {
    int x, y;
};
struct Obj {
    uint8_t a;
    long b;
    Obj(uint8_t a_, long b_) : a(a_), b(b_) {}
    ~Obj() { a = 0; }
};
typedef Instance<1> Sram;

struct vm avr_vm;
static struct vm avr_vm_static;
static RamStore<1024, 32, 2> avr_store;
typedef VMEM_FIXED(avr_vm) Fast;
typedef Fixed<struct vm, &avr_vm_static, Sram> FastStatic;
typedef VMEM_FIXED(avr_store) FastStore;

template <class B> static long use_everything(const char *text, char *out)
{
    VPtr<char, B> s = VPtr<char, B>::alloc(64);
    VPtr<char, B> t = VPtr<char, B>::allocArray(64);
    VPtr<Point, B> p = p.alloc();
    VPtr<Obj, B> o = VPtr<Obj, B>::newClass(static_cast<uint8_t>(3), 40000L);
    VPtr<int, Sram> q = VPtr<int, Sram>::alloc(8);
    long r = 0;

    strcpy(s, text);
    strncpy(t, s, 64);
    strcpy(out, t);
    r += static_cast<long>(strlen(s)) + strcmp(s, t) + strcmp(s, "x") + strcmp("y", t);
    memset(t, 0, 64);
    memcpy(t, s, 10);
    memmove(t + 1, t, 10);
    memcpy(out, t, 4);
    memcpy(t, out, 4);
    r += memcmp(s, t, 8) + memcmp(s, out, 8) + memcmp(out, s, 8);
    s[3] = 'x';
    s[4] += 1;
    ++s[5];
    s[6]--;
    r += s[3] + *(s + 2) + (t - s) + (s < t) + (s == t) + !s;
    p->x = 5;
    p->y = 15;
    p.member(&Point::x) = 7;
    r += p->x + p.member(&Point::y);
    VPtr<const Point, B> cp = p;
    VPtr<const char, B> cs = s;
    r += cp->y + cp.member(&Point::x) + static_cast<long>(strlen(cs)) + strcmp(cs, s);
    {
        Lock<const Point, B> lk(cp);
        r += lk->x;
    }
    q[2] = 9;
    r += q[2] + Sram::pool().takeError() + B::pool().error();
    {
        Lock<char, B> lk(s, 8, VM_LOCK_RW);
        if (lk)
            lk[0] = 'L';
        r += static_cast<long>(lk.count());
    }
    VPtr<char, B> w = VPtr<char, B>::wrap(out);
    if (w.isWrapped())
        r += *w.unwrap() + w[1];
    for (VPtr<char, B> i = s; i != s + 4; i++)
        r += *i;
    r += o->b;
    VPtr<Obj, B>::deleteClass(o);
    VPtr<Point, B>::free(p);
    VPtr<char, B>::free(s);
    VPtr<char, B>::free(t);
    VPtr<int, Sram>::free(q);
    return r;
}

long avr_use_everything(const char *text, char *out)
{
    if (avr_store.start() != VM_OK)
        return 0;
    return use_everything<Default>(text, out) + use_everything<Fast>(text, out) +
           use_everything<FastStatic>(text, out) + use_everything<FastStore>(text, out);
}
