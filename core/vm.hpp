/*
 * vm.hpp - header-only C++11 wrapper: VPtr<T>, a pointer into the pool that
 * reads and writes like a normal pointer.
 *
 *   vmem::pool().bind(&my_vm);              // once: the default instance
 *   vmem::VPtr<char> str = str.alloc(10000);
 *   memset(str, 'A', 1000);                 // vmem::memset, found by ADL
 *   str[1] = 'B';                           // proxy: one vm_set8
 *   vmem::VPtr<MyStruct> ms = ms.alloc();
 *   ms->x = 5;                              // lock of *ms for the statement
 *
 * Builds with avr-g++ -std=c++11 -Os -fno-exceptions -fno-rtti: it uses no
 * exceptions, no RTTI and no C++ library header (<new>, <utility> are not on
 * the AVR); only vm.h and vm_ptr.h. A ready pool in a RAM array (RamStore)
 * is in the RAM backend's vm_ram.hpp.
 *
 * Instances. A VPtr<T, B> names its instance through the binding B, a type
 * with `static Pool &pool()` (where errors are recorded) and optionally
 * `static struct vm *vm()` (the pager; without it, the one bound to pool()).
 * vmem::Instance<N> is a ready binding with its own Pool, bound at run time
 * (N = 0 is the default, vmem::pool()). VMEM_FIXED(obj), that is
 * vmem::Fixed<decltype(obj), &obj>, binds to a pool object (or a struct vm)
 * at a link-time constant address: its pointers reach the pager's fields at
 * constant addresses, so that on the AVR p[i] costs what the C typed
 * pointers cost (through Instance<N> the pager is reached through the
 * Pool's pointer, reloaded at every access: 5 to 20 cycles more there).
 *
 *   vmem::RamPool<4096> vpool;
 *   typedef VMEM_FIXED(vpool) Fast;
 *   vmem::VPtr<uint8_t, Fast> buf = buf.allocArray(256);  // after vpool.start()
 *
 * Pointers bound to different bindings are different types, so mixing them
 * is a compile error. A VPtr holds only the 4-byte address, like the
 * original's singleton allocators.
 *
 * Errors. There are no exceptions, so every failed operation records its
 * vm_err in the binding's Pool: the first error sticks until clearError() or
 * takeError(), and an optional handler is called on every failure (to halt
 * or log on a board). A failed read yields T() (zero), a failed write
 * changes nothing (or a prefix, as vm_write says), a failed alloc gives a
 * null VPtr. Functions that return a count (strlen) return 0 on error.
 *
 * Semantics.
 *   *p, p[i]    a proxy (Ref<T>): converting it reads sizeof(T) bytes,
 *               assigning writes them, through the inline fast path for 1, 2
 *               and 4-byte T (vm_ptr_load/store). T must be trivially
 *               copyable. &p[i] is a VPtr again.
 *   p->m        lock semantics: a temporary Pinned<T> locks the whole T
 *               until the end of the full expression and hands out a real
 *               T*. Through VPtr<T> the lock is VM_LOCK_RW (the range becomes
 *               dirty, even for a read); through VPtr<const T> it is
 *               VM_LOCK_RO and nothing is dirtied. If no in-place lock is
 *               possible (T straddles two pages and the bounce buffer is
 *               busy or absent, or the page copy is misaligned for T), T is
 *               copied to the stack and written back at the end instead.
 *               Each -> holds its page until the statement ends, so n of
 *               them in one statement need n slots (else VM_ERR_BUSY).
 *   p.member(&T::m)   a proxy for one member only (no lock, no dirtying of
 *               the rest): what VM_PTR_GET/SET_MEMBER do in C.
 *   Lock<T>     RAII lock of n elements (vm_lock), unlocked by its
 *               destructor; lk[i] is a plain T&.
 *   memcpy, memmove, memset, memcmp, strlen, strcmp, strncpy, strcpy
 *               overloads for VPtr/VPtr, VPtr/raw and raw/VPtr, page by page
 *               through the core's bulk helpers (never byte by byte).
 *
 * Objects live in the pool as bytes: the pager moves them with memcpy, so T
 * must not hold pointers into itself.
 */
#ifndef VM_HPP
#define VM_HPP

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vm.h"
#include "vm_ptr.h"

/* How the element proxies' read and write are inlined: by default always,
 * like vm_ptr.h's loaders, so p[i] costs what vm_get8/vm_set8 cost. At -Os
 * avr-g++ would otherwise keep one out-of-line copy per type: smaller code
 * (about 140 bytes less per access site on AVR) but 1.5 to 2 times the
 * cycles per access (tests/ptr/ptr_avr_cycles.sh). -DVMEM_INLINE=inline
 * leaves the choice to the compiler. */
#ifndef VMEM_INLINE
#if defined(__GNUC__)
#define VMEM_INLINE inline __attribute__((always_inline))
#else
#define VMEM_INLINE inline
#endif
#endif

/* The small helpers every access goes through (the binding's pager, the
 * error test): inlined whatever VMEM_INLINE says, as a call would cost more
 * than their bodies. */
#if defined(__GNUC__)
#define VMEM_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define VMEM_ALWAYS_INLINE inline
#endif

/* Recording an error is the rare path: kept out of line, so that an
 * access's inline code is only the pager's own (the hot path never reaches
 * it: the pager's inline hit returns VM_OK, a constant). */
#if defined(__GNUC__)
#define VMEM_COLD __attribute__((noinline, cold))
#else
#define VMEM_COLD
#endif

namespace vmem {
/* Tag for this header's own placement new (there is no <new> on the AVR). */
struct Place {};
} // namespace vmem

inline void *operator new(size_t, vmem::Place, void *p) noexcept { return p; }
inline void operator delete(void *, vmem::Place, void *) noexcept {}

namespace vmem {

typedef vm_addr_t Addr;

namespace detail {
template <class T> struct NoRef { typedef T type; };
template <class T> struct NoRef<T &> { typedef T type; };
template <class T> struct NoRef<T &&> { typedef T type; };
template <class T> inline T &&fwd(typename NoRef<T>::type &t) noexcept
{
    return static_cast<T &&>(t);
}
template <class A, class B> struct Same { static const bool value = false; };
template <class A> struct Same<A, A> { static const bool value = true; };
template <class T> struct NoConst { typedef T type; static const bool is_const = false; };
template <class T> struct NoConst<const T> { typedef T type; static const bool is_const = true; };
template <class T, class M> struct CopyConst { typedef M type; };
template <class T, class M> struct CopyConst<const T, M> { typedef const M type; };
template <bool C, class T = void> struct EnableIf {};
template <class T> struct EnableIf<true, T> { typedef T type; };
/* char and const char: the string overloads take both. */
template <class C> struct IsChar { static const bool value = false; };
template <> struct IsChar<char> { static const bool value = true; };
template <> struct IsChar<const char> { static const bool value = true; };
} // namespace detail

/* One pager instance as seen from C++: the struct vm and the sticky error.
 * Constant-initialised, so a static Pool costs no start-up code. */
class Pool {
public:
    typedef void (*ErrorHandler)(int err, Addr addr);

    constexpr Pool() : vm_(nullptr), err_(VM_OK), handler_(nullptr) {}
    constexpr explicit Pool(struct vm *v) : vm_(v), err_(VM_OK), handler_(nullptr) {}

    void bind(struct vm *v) { vm_ = v; }
    struct vm *vm() const { return vm_; }

    /* The first error since the last clear, or VM_OK. */
    int error() const { return err_; }
    bool ok() const { return err_ == VM_OK; }
    void clearError() { err_ = VM_OK; }
    int takeError()
    {
        int e = err_;
        err_ = VM_OK;
        return e;
    }
    /* Called on every failure, with the error and the address involved. */
    void setErrorHandler(ErrorHandler h) { handler_ = h; }

    /* Record e if it is an error; return it. */
    int check(int e, Addr a)
    {
        if (e != VM_OK)
            fail(e, a);
        return e;
    }
    VMEM_COLD void fail(int e, Addr a)
    {
        if (err_ == VM_OK)
            err_ = e;
        if (handler_)
            handler_(e, a);
    }

private:
    struct vm *vm_;
    int err_;
    ErrorHandler handler_;
};

/* Binding number N: its own Pool. Instance<0> is the default. */
template <int N> struct Instance {
    static Pool &pool()
    {
        static Pool p;
        return p;
    }
};
typedef Instance<0> Default;
inline Pool &pool() { return Default::pool(); }

namespace detail {
/* The pager of a pool object or of a struct vm. */
VMEM_ALWAYS_INLINE struct vm *vm_of(struct vm &v) { return &v; }
template <class P> VMEM_ALWAYS_INLINE struct vm *vm_of(P &p) { return p.vm(); }
/* 1 if binding B has its own static vm(). */
template <class B> struct HasVm {
    template <class C> static char test(decltype(&C::vm));
    template <class C> static long test(...);
    static const bool value = sizeof(test<B>(nullptr)) == 1;
};
template <class B, bool = HasVm<B>::value> struct VmOf {
    static VMEM_ALWAYS_INLINE struct vm *get() { return B::pool().vm(); }
};
template <class B> struct VmOf<B, true> {
    static VMEM_ALWAYS_INLINE struct vm *get() { return B::vm(); }
};
} // namespace detail

/* A binding to a pager at a link-time constant address: *Obj is a pool
 * object (RamPool, SramPool, RamStore, ... anything with vm()) or a struct
 * vm, defined at namespace scope (a global, or a static one). Its errors
 * are recorded in E's Pool, by default the default instance's, where
 * obj.start() records its own:
 *
 *   vmem::RamPool<16384> vpool;
 *   typedef VMEM_FIXED(vpool) Fast;  // vmem::Fixed<decltype(vpool), &vpool>
 *   ...
 *   vpool.start();
 *   vmem::VPtr<uint8_t, Fast> p = p.allocArray(1000);
 *   p[3] = 7;                 // vm_set8 on &vpool's pager: constant address
 *
 * Every operation of a VPtr<T, Fast> uses obj's pager directly, whatever
 * E's Pool is bound to; E only holds the sticky error and the handler. */
template <class P, P *Obj, class E = Default> struct Fixed {
    static VMEM_ALWAYS_INLINE struct vm *vm() { return detail::vm_of(*Obj); }
    static Pool &pool() { return E::pool(); }
};
#define VMEM_FIXED(obj) ::vmem::Fixed<decltype(obj), &obj>

namespace detail {
/* Binding B's pager, and the recording of a result in B's Pool. */
template <class B> VMEM_ALWAYS_INLINE struct vm *vm() { return VmOf<B>::get(); }
template <class B> VMEM_ALWAYS_INLINE int check(int e, Addr a)
{
    if (e != VM_OK)
        B::pool().fail(e, a);
    return e;
}
} // namespace detail

template <class T, class B = Default> class VPtr;

/* A proxy for the T at a virtual address: reads on conversion, writes on
 * assignment. It holds only the address. */
template <class T, class B = Default> class Ref {
#if defined(__GNUC__) || defined(__clang__)
    static_assert(__is_trivially_copyable(T), "VPtr element access needs a trivially copyable T");
#endif
public:
    /* T without const: the value type. A Ref<const T> reads only. */
    typedef typename detail::NoConst<T>::type V;

    explicit Ref(Addr a) : a_(a) {}
    Ref(const Ref &) = default;

    VMEM_INLINE operator V() const
    {
        V v = V();
        detail::check<B>(vm_ptr_load(detail::vm<B>(), a_, &v, sizeof(T)), a_);
        return v;
    }
    VMEM_INLINE Ref &operator=(const V &v)
    {
        static_assert(!detail::NoConst<T>::is_const, "write through a VPtr<const T>");
        detail::check<B>(vm_ptr_store(detail::vm<B>(), a_, &v, sizeof(T)), a_);
        return *this;
    }
    VMEM_INLINE Ref &operator=(const Ref &o) { return *this = static_cast<V>(o); }

    template <class U> VMEM_INLINE Ref &operator+=(const U &u) { return *this = static_cast<V>(get() + u); }
    template <class U> VMEM_INLINE Ref &operator-=(const U &u) { return *this = static_cast<V>(get() - u); }
    template <class U> VMEM_INLINE Ref &operator*=(const U &u) { return *this = static_cast<V>(get() * u); }
    template <class U> VMEM_INLINE Ref &operator/=(const U &u) { return *this = static_cast<V>(get() / u); }
    template <class U> VMEM_INLINE Ref &operator%=(const U &u) { return *this = static_cast<V>(get() % u); }
    template <class U> VMEM_INLINE Ref &operator&=(const U &u) { return *this = static_cast<V>(get() & u); }
    template <class U> VMEM_INLINE Ref &operator|=(const U &u) { return *this = static_cast<V>(get() | u); }
    template <class U> VMEM_INLINE Ref &operator^=(const U &u) { return *this = static_cast<V>(get() ^ u); }
    template <class U> VMEM_INLINE Ref &operator<<=(const U &u) { return *this = static_cast<V>(get() << u); }
    template <class U> VMEM_INLINE Ref &operator>>=(const U &u) { return *this = static_cast<V>(get() >> u); }
    VMEM_INLINE Ref &operator++()
    {
        V v = get();
        ++v;
        return *this = v;
    }
    VMEM_INLINE Ref &operator--()
    {
        V v = get();
        --v;
        return *this = v;
    }
    VMEM_INLINE V operator++(int)
    {
        V v = get(), old = v;
        ++v;
        *this = v;
        return old;
    }
    VMEM_INLINE V operator--(int)
    {
        V v = get(), old = v;
        --v;
        *this = v;
        return old;
    }

    VMEM_INLINE V get() const { return *this; }
    Addr addr() const { return a_; }
    /* &p[i] is the virtual pointer p + i. */
    VPtr<T, B> operator&() const { return VPtr<T, B>::at(a_); }

private:
    Addr a_;
};

/* The whole T at an address, pinned in RAM until this object dies: in place
 * through a lock, or through a copy on the stack when that is impossible. */
template <class T, class B = Default> class Pinned {
public:
    Pinned(Addr a, unsigned mode) : p_(nullptr), a_(a), mode_(static_cast<uint8_t>(mode)), copied_(0)
    {
        lk_.mode = 0;
        if (vm_lock(detail::vm<B>(), a, sizeof(T), mode, &lk_) == VM_OK) {
            if (lk_.len == sizeof(T) && reinterpret_cast<uintptr_t>(lk_.ptr) % alignof(T) == 0) {
                p_ = static_cast<T *>(lk_.ptr);
                return;
            }
            vm_unlock(detail::vm<B>(), &lk_);
            lk_.mode = 0;
        }
        /* The copy: read it unless the caller will overwrite it all. */
        p_ = reinterpret_cast<T *>(buf_);
        copied_ = 1;
        ::memset(buf_, 0, sizeof buf_);
        if (mode != VM_LOCK_WO && detail::check<B>(vm_read(detail::vm<B>(), buf_, a, sizeof(T)), a) != VM_OK)
            copied_ = 2; /* failed: hand out zeros, write nothing back */
    }
    Pinned(Pinned &&o) : lk_(o.lk_), p_(o.p_), a_(o.a_), mode_(o.mode_), copied_(o.copied_)
    {
        if (copied_) {
            ::memcpy(buf_, o.buf_, sizeof buf_);
            p_ = reinterpret_cast<T *>(buf_);
        }
        o.lk_.mode = 0;
        o.copied_ = 0;
    }
    Pinned(const Pinned &) = delete;
    Pinned &operator=(const Pinned &) = delete;
    ~Pinned()
    {
        if (lk_.mode)
            detail::check<B>(vm_unlock(detail::vm<B>(), &lk_), a_);
        else if (copied_ == 1 && mode_ != VM_LOCK_RO)
            detail::check<B>(vm_write(detail::vm<B>(), a_, buf_, sizeof(T)), a_);
    }

    /* False when the data could not be read (the object shows zeros). */
    bool ok() const { return copied_ != 2; }
    T *get() const { return p_; }
    T *operator->() const { return p_; }
    T &operator*() const { return *p_; }

private:
    struct vm_lock lk_;
    T *p_;
    Addr a_;
    uint8_t mode_;
    uint8_t copied_; /* 0: locked in place, 1: stack copy, 2: read failed */
    alignas(T) unsigned char buf_[sizeof(T)];
};

/* A pointer to T in the pool bound to B's instance. 4 bytes, no vtable. */
template <class T, class B> class VPtr {
public:
    typedef T value_type;
    typedef Ref<T, B> reference;

    VPtr() : a_(VM_NULL) {}
    VPtr(decltype(nullptr)) : a_(VM_NULL) {}
    /* VPtr<T> converts to VPtr<const T>, as T * to const T *. */
    template <class U>
    VPtr(const VPtr<U, B> &o,
         typename detail::EnableIf<detail::Same<const U, T>::value && !detail::Same<U, T>::value>::type * = nullptr)
        : a_(o.addr())
    {
    }
    static VPtr at(Addr a)
    {
        VPtr p;
        p.a_ = a;
        return p;
    }
    Addr addr() const { return a_; }
    static Pool &pool() { return B::pool(); }

    /* Element access (proxies). */
    Ref<T, B> operator*() const { return Ref<T, B>(a_); }
    Ref<T, B> operator[](int32_t i) const { return Ref<T, B>(index(i)); }
    /* Member access through a lock held for the full expression: read-write
     * (the range becomes dirty), read-only for a VPtr<const T>. */
    Pinned<T, B> operator->() const
    {
        return Pinned<T, B>(a_, detail::NoConst<T>::is_const ? VM_LOCK_RO : VM_LOCK_RW);
    }
    /* A proxy for one member (offset computed from the member pointer). */
    template <class M, class C>
    Ref<typename detail::CopyConst<T, M>::type, B> member(M C::*m) const
    {
        static_assert(detail::Same<C, typename detail::NoConst<T>::type>::value,
                      "member() of another class");
        alignas(T) unsigned char probe[sizeof(T)];
        const T *t = reinterpret_cast<const T *>(probe);
        Addr off = static_cast<Addr>(reinterpret_cast<const unsigned char *>(&(t->*m)) - probe);
        return Ref<typename detail::CopyConst<T, M>::type, B>(a_ + off);
    }

    /* Arithmetic and comparison, in elements, as for C pointers. */
    VPtr operator+(int32_t n) const { return at(index(n)); }
    VPtr operator-(int32_t n) const { return at(index(-n)); }
    friend VPtr operator+(int32_t n, VPtr p) { return p + n; }
    int32_t operator-(VPtr o) const { return static_cast<int32_t>(a_ - o.a_) / static_cast<int32_t>(sizeof(T)); }
    VPtr &operator+=(int32_t n)
    {
        a_ = index(n);
        return *this;
    }
    VPtr &operator-=(int32_t n)
    {
        a_ = index(-n);
        return *this;
    }
    VPtr &operator++() { return *this += 1; }
    VPtr &operator--() { return *this -= 1; }
    VPtr operator++(int)
    {
        VPtr o = *this;
        *this += 1;
        return o;
    }
    VPtr operator--(int)
    {
        VPtr o = *this;
        *this -= 1;
        return o;
    }
    friend bool operator==(VPtr a, VPtr b) { return a.a_ == b.a_; }
    friend bool operator!=(VPtr a, VPtr b) { return a.a_ != b.a_; }
    friend bool operator<(VPtr a, VPtr b) { return a.a_ < b.a_; }
    friend bool operator<=(VPtr a, VPtr b) { return a.a_ <= b.a_; }
    friend bool operator>(VPtr a, VPtr b) { return a.a_ > b.a_; }
    friend bool operator>=(VPtr a, VPtr b) { return a.a_ >= b.a_; }
    explicit operator bool() const { return a_ != VM_NULL; }

    /* The same address as another element type. */
    template <class U> VPtr<U, B> cast() const { return VPtr<U, B>::at(a_); }

#if VM_CONFIG_ALLOC
    /* bytes of uninitialised pool memory (the original's alloc(size)). */
    static VPtr alloc(Addr bytes = sizeof(T))
    {
        VPtr p = at(vm_alloc(detail::vm<B>(), bytes));
        if (!p)
            B::pool().fail(VM_ERR_NOMEM, VM_NULL);
        return p;
    }
    /* n elements, overflow-checked. */
    static VPtr allocArray(Addr n)
    {
        if (n > static_cast<Addr>(0xFFFFFFFFu) / sizeof(T)) {
            B::pool().fail(VM_ERR_NOMEM, VM_NULL);
            return VPtr();
        }
        return alloc(n * static_cast<Addr>(sizeof(T)));
    }
    static void free(VPtr p)
    {
        detail::check<B>(vm_free(detail::vm<B>(), p.a_), p.a_);
    }
    /* Allocate and construct a T in the pool from args (placement new on the
     * pinned bytes); null on failure. */
    template <class... A> static VPtr newClass(A &&...args)
    {
        VPtr p = alloc(sizeof(T));
        if (p) {
            Pinned<T, B> pin(p.a_, VM_LOCK_WO);
            new (Place(), pin.get()) T(detail::fwd<A>(args)...);
        }
        return p;
    }
    /* Destroy and free what newClass made. Null does nothing. */
    static void deleteClass(VPtr p)
    {
        if (!p)
            return;
        {
            Pinned<T, B> pin(p.a_, VM_LOCK_RW);
            if (pin.ok())
                pin->~T();
        }
        free(p);
    }
#endif

#if VM_CONFIG_WRAP
    /* A VPtr standing for RAM (vm_wrap): every operation serves it directly.
     * Null when ram is outside the wrappable region. */
    static VPtr wrap(T *ram) { return at(vm_wrap(detail::vm<B>(), ram)); }
    T *unwrap() const { return static_cast<T *>(vm_unwrap(detail::vm<B>(), a_)); }
    bool isWrapped() const { return vm_is_wrapped(a_) != 0; }
#endif

private:
    Addr index(int32_t i) const { return VM_PTR__INDEX(a_, i, sizeof(T)); }
    Addr a_;
};

/* RAII lock of n elements at p: lk[i] is a plain T& until the destructor (or
 * unlock()). If the write-back of a bounced range fails at unlock, the error
 * is recorded and the core keeps the range locked (as vm_unlock does); an
 * explicit unlock() may then be retried while the Lock is alive. Fewer elements may be locked than asked (count()): a range that
 * straddles a page boundary without a bounce buffer is trimmed. ok() is false
 * when nothing could be locked (the error is in the Pool). */
template <class T, class B = Default> class Lock {
public:
    explicit Lock(VPtr<T, B> p, size_t n = 1,
                  unsigned mode = detail::NoConst<T>::is_const ? VM_LOCK_RO : VM_LOCK_RW)
    {
        lk_.mode = 0;
        if (detail::check<B>(vm_lock(detail::vm<B>(), p.addr(), n * sizeof(T), mode, &lk_), p.addr()) != VM_OK)
            lk_.mode = 0;
    }
    Lock(Lock &&o) : lk_(o.lk_) { o.lk_.mode = 0; }
    Lock(const Lock &) = delete;
    Lock &operator=(const Lock &) = delete;
    ~Lock() { unlock(); }

    int unlock()
    {
        if (!lk_.mode)
            return VM_OK;
        int e = detail::check<B>(vm_unlock(detail::vm<B>(), &lk_), lk_.addr);
        if (e == VM_OK)
            lk_.mode = 0;
        return e;
    }
    bool ok() const { return lk_.mode != 0; }
    explicit operator bool() const { return ok(); }
    size_t count() const { return ok() ? lk_.len / sizeof(T) : 0; }
    size_t bytes() const { return ok() ? lk_.len : 0; }
    T *get() const { return ok() ? static_cast<T *>(lk_.ptr) : nullptr; }
    T &operator*() const { return *get(); }
    T *operator->() const { return get(); }
    T &operator[](size_t i) const { return get()[i]; }

private:
    struct vm_lock lk_;
};

/* ---- C library overloads. Found by argument-dependent lookup, so plain
 * memcpy(vp, buf, n) picks these whenever a VPtr is involved. ---- */

template <class T, class U, class B> VPtr<T, B> memmove(VPtr<T, B> d, VPtr<U, B> s, size_t n)
{
    detail::check<B>(vm_memmove(detail::vm<B>(), d.addr(), s.addr(), static_cast<Addr>(n)), d.addr());
    return d;
}
template <class T, class U, class B> VPtr<T, B> memcpy(VPtr<T, B> d, VPtr<U, B> s, size_t n)
{
    return memmove(d, s, n);
}
template <class T, class B> VPtr<T, B> memcpy(VPtr<T, B> d, const void *s, size_t n)
{
    detail::check<B>(vm_write(detail::vm<B>(), d.addr(), s, n), d.addr());
    return d;
}
template <class T, class B> void *memcpy(void *d, VPtr<T, B> s, size_t n)
{
    detail::check<B>(vm_read(detail::vm<B>(), d, s.addr(), n), s.addr());
    return d;
}
template <class T, class B> VPtr<T, B> memmove(VPtr<T, B> d, const void *s, size_t n) { return memcpy(d, s, n); }
template <class T, class B> void *memmove(void *d, VPtr<T, B> s, size_t n) { return memcpy(d, s, n); }

template <class T, class B> VPtr<T, B> memset(VPtr<T, B> d, int c, size_t n)
{
    detail::check<B>(vm_memset(detail::vm<B>(), d.addr(), c, static_cast<Addr>(n)), d.addr());
    return d;
}

/* memcmp: 0 on error (the error is in the Pool). */
template <class T, class U, class B> int memcmp(VPtr<T, B> a, VPtr<U, B> b, size_t n)
{
    int c = 0;
    detail::check<B>(vm_memcmp(detail::vm<B>(), a.addr(), b.addr(), static_cast<Addr>(n), &c), a.addr());
    return c;
}
template <class T, class B> int memcmp(VPtr<T, B> a, const void *b, size_t n)
{
    int c = 0;
    detail::check<B>(vm_memcmp_ram(detail::vm<B>(), a.addr(), b, n, &c), a.addr());
    return c;
}
template <class T, class B> int memcmp(const void *a, VPtr<T, B> b, size_t n) { return -memcmp(b, a, n); }

template <class C, class B>
typename detail::EnableIf<detail::IsChar<C>::value, size_t>::type strlen(VPtr<C, B> s)
{
    Addr n = 0;
    if (detail::check<B>(vm_strlen(detail::vm<B>(), s.addr(), &n), s.addr()) != VM_OK)
        return 0;
    return n;
}
template <class C, class D, class B>
typename detail::EnableIf<detail::IsChar<C>::value && detail::IsChar<D>::value, int>::type
strcmp(VPtr<C, B> a, VPtr<D, B> b)
{
    int c = 0;
    detail::check<B>(vm_strcmp(detail::vm<B>(), a.addr(), b.addr(), &c), a.addr());
    return c;
}
/* Against a RAM string: through vm_strcmp when the string can be wrapped,
 * else byte by byte, reading the virtual string only as far as needed. */
template <class C, class B>
typename detail::EnableIf<detail::IsChar<C>::value, int>::type strcmp(VPtr<C, B> a, const char *b)
{
#if VM_CONFIG_WRAP
    Addr w = vm_wrap(detail::vm<B>(), b);
    if (w != VM_NULL) {
        int c = 0;
        detail::check<B>(vm_strcmp(detail::vm<B>(), a.addr(), w, &c), a.addr());
        return c;
    }
#endif
    for (size_t i = 0;; i++) {
        uint8_t x = 0, y = static_cast<uint8_t>(b[i]);
        if (detail::check<B>(vm_get8(detail::vm<B>(), a.addr() + static_cast<Addr>(i), &x), a.addr()) != VM_OK)
            return 0;
        if (x != y)
            return x < y ? -1 : 1;
        if (x == 0)
            return 0;
    }
}

template <class C, class B>
typename detail::EnableIf<detail::IsChar<C>::value, int>::type strcmp(const char *a, VPtr<C, B> b)
{
    return -strcmp(b, a);
}
template <class C, class B>
typename detail::EnableIf<detail::IsChar<C>::value, VPtr<char, B> >::type
strncpy(VPtr<char, B> d, VPtr<C, B> s, size_t n)
{
    detail::check<B>(vm_strncpy(detail::vm<B>(), d.addr(), s.addr(), static_cast<Addr>(n)), d.addr());
    return d;
}
template <class C, class B>
typename detail::EnableIf<detail::IsChar<C>::value, VPtr<char, B> >::type
strcpy(VPtr<char, B> d, VPtr<C, B> s)
{
    Addr n = 0;
    if (detail::check<B>(vm_strlen(detail::vm<B>(), s.addr(), &n), s.addr()) == VM_OK)
        detail::check<B>(vm_memmove(detail::vm<B>(), d.addr(), s.addr(), n + 1u), d.addr());
    return d;
}
template <class B> VPtr<char, B> strcpy(VPtr<char, B> d, const char *s)
{
    return memcpy(d, s, ::strlen(s) + 1u);
}
template <class C, class B>
typename detail::EnableIf<detail::IsChar<C>::value, char *>::type strcpy(char *d, VPtr<C, B> s)
{
    Addr n = 0;
    if (detail::check<B>(vm_strlen(detail::vm<B>(), s.addr(), &n), s.addr()) == VM_OK)
        detail::check<B>(vm_read(detail::vm<B>(), d, s.addr(), n + 1u), s.addr());
    return d;
}

} // namespace vmem

#endif /* VM_HPP */
