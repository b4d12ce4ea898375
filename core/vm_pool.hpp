/*
 * vm_pool.hpp - C++ pool classes: a whole pager in one object, started with
 * one call, bound to VPtr's default instance (or the Pool you pass).
 *
 *   vmem::RamPool<16384> vpool;                 // 16 KiB, 4 x 64-byte pages
 *   ...
 *   vpool.start();                              // returns VM_OK or an error
 *   vmem::VPtr<char> str = str.alloc(10000);
 *
 * This header holds PoolBase, what every pool class shares; the classes
 * live with their backends (RamPool in vm_ram.hpp; SramPool, SdPool and
 * SerialPool in vm_arduino_pools.h). Each class owns its page buffers, slots
 * and allocator table as members, sized by its template arguments, so a
 * global pool object is all the RAM the pager costs and sizeof tells it at
 * compile time. start() does the whole setup (device, file system, pager)
 * and returns VM_OK or an error; it also records a failure in the Pool's
 * sticky error, and even then binds a pager whose every access fails with
 * that error, so code that goes on regardless gets errors, never a crash.
 * The classes wrap the C pools (vm_ram_pool.h, vm_sram_pool.h, vm_sd_pool.h,
 * vm_serial_pool.h): one implementation, two languages.
 *
 * Header-only, C++11, no exceptions, RTTI or C++ library headers.
 */
#ifndef VM_POOL_HPP
#define VM_POOL_HPP

#include "vm.hpp"
#include "vm_pool.h"

namespace vmem {

/* The buffers of a pool and the code every pool class shares. C is the C
 * pool struct (struct vm_ram_pool, ...), whose first member is the struct
 * vm_pool. */
template <class C, uint16_t PageSize, vm_slot_t Pages, uint16_t HeapBlocks = VM_POOL_HEAP_BLOCKS>
class PoolBase {
    static_assert(PageSize >= VM_PAGE_SIZE_MIN && PageSize <= VM_PAGE_SIZE_MAX &&
                      (PageSize & (PageSize - 1u)) == 0,
                  "PageSize: a power of two from 16 to 4096");
    static_assert(Pages >= 1 && Pages <= VM_PAGE_COUNT_MAX, "Pages: 1 to VM_PAGE_COUNT_MAX (VM_CONFIG_SLOT_BITS)");

public:
    /* The pager, for the C API (vm_stats, vm_flush, ...). */
    struct vm *vm() { return &c_.pool.vm; }
    /* What start returned (VM_OK once started). */
    int error() const { return c_.pool.error; }
    /* Write every dirty page back (the original's flush()). */
    int flush() { return vm_flush(&c_.pool.vm); }
    /* Bytes in the pool (the original's getPoolSize()). */
    Addr poolSize() const { return vm_pool_size(&c_.pool.vm); }
    /* Raw access (the original's read(offset, size) / write(...)). */
    int read(Addr a, void *dst, size_t n) { return vm_read(&c_.pool.vm, dst, a, n); }
    int write(Addr a, const void *src, size_t n) { return vm_write(&c_.pool.vm, a, src, n); }

protected:
    PoolBase() : c_() {}
    /* Point the C pool at the member buffers. */
    void wire()
    {
        struct vm_pool &p = c_.pool;
        p.pages = pages_;
        p.pages_size = sizeof pages_;
        p.slots = slots_;
        p.page_size = PageSize;
        p.page_count = Pages;
#if VM_CONFIG_ALLOC
        p.heap = heap_;
        p.heap_blocks = HeapBlocks;
#endif
    }
    /* Bind and record the outcome of a C start call. */
    int started(int e, Pool &p)
    {
        p.bind(&c_.pool.vm);
        return p.check(e, VM_NULL);
    }

    C c_;

private:
    uint32_t pages_[(static_cast<uint32_t>(PageSize) * Pages + 3u) / 4u] VM_ALIGN4;
    struct vm_slot slots_[Pages];
#if VM_CONFIG_ALLOC
    struct vm_block heap_[HeapBlocks];
#endif
};

} // namespace vmem

#endif /* VM_POOL_HPP */
