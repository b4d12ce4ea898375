/*
 * vm_ram.hpp - the RAM backend for C++ (header-only, C++11): two ready
 * pagers over a RAM array, bound to VPtr's default instance (or the Pool
 * you pass) by start().
 *
 *   vmem::RamPool<16384> vpool;        // the pool class (vm_pool.hpp's PoolBase)
 *   vmem::RamStore<4096, 64, 4> s;     // the same with a bounce buffer,
 *                                      // and the vm_ram it pages for tests
 *   vpool.start();
 */
#ifndef VM_RAM_HPP
#define VM_RAM_HPP

#include "vm.hpp"
#include "vm_pool.hpp"
#include "vm_ram.h"
#include "vm_ram_pool.h"

namespace vmem {

/* A pool in a RAM array (vm_ram backend) with its page buffers, slots,
 * bounce buffer and allocator table, all static: a ready instance for tests,
 * desktop programs and boards with a large but slowly addressed RAM. */
template <Addr PoolBytes, uint16_t PageSize = 64, vm_slot_t PageCount = 4, uint16_t HeapBlocks = 16>
class RamStore {
public:
    /* Set up the pager and bind it to pool (the default instance unless
     * told otherwise). Returns VM_OK or the error of vm_init. */
    int start(Pool &p = vmem::pool())
    {
        struct vm_config cfg;
        ::memset(&cfg, 0, sizeof cfg);
        vm_ram_init(&ram_, mem_, PoolBytes);
        cfg.backend = &ram_.backend;
        cfg.page_size = PageSize;
        cfg.page_count = PageCount;
        cfg.pages = pages_;
        cfg.pages_size = sizeof pages_;
        cfg.slots = slots_;
        cfg.slot_count = PageCount;
#if VM_CONFIG_BOUNCE
        cfg.bounce = bounce_;
        cfg.bounce_size = sizeof bounce_;
#endif
#if VM_CONFIG_ALLOC
        cfg.heap = heap_;
        cfg.heap_blocks = HeapBlocks;
#endif
        int e = vm_init(&vm_, &cfg);
        if (e == VM_OK)
            p.bind(&vm_);
        return p.check(e, VM_NULL);
    }
    struct vm *vm() { return &vm_; }
    struct vm_ram *backend() { return &ram_; }
    /* The backing array (what a flushed pool holds). */
    uint8_t *memory() { return mem_; }

private:
    struct vm vm_;
    struct vm_ram ram_;
    uint32_t pages_[(static_cast<uint32_t>(PageSize) * PageCount + 3u) / 4u];
    struct vm_slot slots_[PageCount];
#if VM_CONFIG_BOUNCE
    uint32_t bounce_[(PageSize + 3u) / 4u]; /* aligned like the pages */
#endif
#if VM_CONFIG_ALLOC
    struct vm_block heap_[HeapBlocks];
#endif
    uint8_t mem_[PoolBytes];
};

/* A pool of Size bytes in a RAM array (vm_ram backend). */
template <uint32_t Size, uint16_t PageSize = 64, vm_slot_t Pages = 4,
          uint16_t HeapBlocks = VM_POOL_HEAP_BLOCKS>
class RamPool : public PoolBase<struct vm_ram_pool, PageSize, Pages, HeapBlocks> {
public:
    int start(Pool &p = vmem::pool())
    {
        this->wire();
        this->c_.mem = mem_;
        this->c_.size = Size;
        return this->started(vm_ram_pool_start(&this->c_), p);
    }
    /* The backing array (what a flushed pool holds). */
    uint8_t *memory() { return mem_; }

private:
    uint8_t mem_[Size];
};

} // namespace vmem

#endif /* VM_RAM_HPP */
