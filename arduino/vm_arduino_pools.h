/*
 * vm_arduino_pools.h - the device pools for sketches: a pager on SPI SRAM,
 * on an SD card's FAT file system, or in a PC's RAM over a serial port, each
 * in one object and one start() call. (RamPool, which needs no device, is in
 * vm_ram.hpp; the common methods are in vm_pool.hpp's PoolBase.)
 *
 *   vmem::SdPool<> vpool(4);                    // CS pin 4, RAMFILE.VM, 1 MiB
 *   vmem::SramPool<64, 4> vpool(9);             // a 23LC1024 on CS pin 9
 *   vmem::SerialPool<64, 4> vpool(Serial);      // vmserve on the PC
 *   ...
 *   vpool.start();
 *
 * start() begins the SPI bus (SPI.begin()) or the serial port, makes every
 * chip select (and the AVR's SS pin) an output driven high, begins the
 * device, and sets up the pager: see vm_pool.hpp for what it returns and
 * records. The pools wrap the C pools of vm_sram_pool.h, vm_sd_pool.h and
 * vm_serial_pool.h, whose comments tell the details.
 */
#ifndef VM_ARDUINO_POOLS_H
#define VM_ARDUINO_POOLS_H

#include "vm_arduino.h"
#include "vm_pool.hpp"
#include "vm_sd_pool.h"
#include "vm_serial_pool.h"
#include "vm_sram_pool.h"

namespace vmem {

namespace detail {
/* SPI glue for a pool: begin the bus, raise the chip selects. */
inline void spi_setup(struct vm_arduino_spi *a, SPIClass &bus, const uint8_t *cs, uint8_t n)
{
    uint8_t i;
    bus.begin();
    vm_arduino_spi_begin(a, bus);
    for (i = 0; i < n; i++) vm_arduino_spi_cs(a, cs[i]);
#ifdef SS
    vm_arduino_spi_cs(a, SS); /* AVR: SS must stay an output for SPI master mode */
#endif
}
} // namespace detail

/* 23LC-series SPI SRAM: chips end to end (a 23LC1024 is 128 KiB). With
 * several chips, their chip selects are cs, cs + 1, ... unless
 * setChipSelect says otherwise. clock_hz 0: the part's maximum, which the
 * board clamps (8 MHz on a 16 MHz AVR). */
template <uint16_t PageSize = 64, uint8_t Pages = 4, uint16_t HeapBlocks = VM_POOL_HEAP_BLOCKS>
class SramPool : public PoolBase<struct vm_sram_pool, PageSize, Pages, HeapBlocks> {
public:
    explicit SramPool(uint8_t cs, uint8_t chips = 1, uint32_t clock_hz = 0, SPIClass &bus = SPI)
        : bus_(&bus)
    {
        uint8_t i;
        this->c_.part = VM_SRAM_23LC1024;
        this->c_.chips = chips;
        this->c_.clock_hz = clock_hz;
        for (i = 0; i < VM_SRAM_MAX_CHIPS; i++) this->c_.cs[i] = static_cast<uint8_t>(cs + i);
    }
    void setChipSelect(uint8_t chip, uint8_t cs)
    {
        if (chip < VM_SRAM_MAX_CHIPS) this->c_.cs[chip] = cs;
    }
    /* enum vm_sram_part: VM_SRAM_23LC1024, VM_SRAM_23LC512, ... */
    void setPart(uint8_t part) { this->c_.part = part; }

    int start(Pool &p = vmem::pool())
    {
        uint8_t n = this->c_.chips <= VM_SRAM_MAX_CHIPS ? this->c_.chips : VM_SRAM_MAX_CHIPS;
        this->wire();
        detail::spi_setup(&glue_, *bus_, this->c_.cs, n);
        return this->started(vm_sram_pool_start(&this->c_, &glue_.spi), p);
    }

private:
    struct vm_arduino_spi glue_;
    SPIClass *bus_;
};

/* An SD card in SPI mode, the pool in a contiguous file of its FAT16/FAT32
 * file system (vm_sd_pool.h). file is an 8.3 name in the root directory;
 * size the pool's bytes (0: the whole file). By default a missing file is
 * an error (VM_FAT_ERR_NOFILE); after createIfMissing() start() creates it
 * in one contiguous run when the card has room. useRawBlocks() instead puts
 * the pool on raw card blocks, destroying what is there. */
template <uint16_t PageSize = 64, uint8_t Pages = 4, uint16_t HeapBlocks = VM_POOL_HEAP_BLOCKS>
class SdPool : public PoolBase<struct vm_sd_pool, PageSize, Pages, HeapBlocks> {
public:
    explicit SdPool(uint8_t cs, const char *file = "RAMFILE.VM", uint32_t size = 1048576ul,
                    SPIClass &bus = SPI)
        : bus_(&bus)
    {
        this->c_.cs = cs;
        this->c_.file = file;
        this->c_.size = size;
    }
    void createIfMissing(bool on = true) { flag(VM_SD_POOL_CREATE, on); }
    /* Blocks [first_block, first_block + blocks) of the card, no file. */
    void useRawBlocks(uint32_t first_block, uint32_t blocks)
    {
        this->c_.first_block = first_block;
        this->c_.size = blocks;
        flag(VM_SD_POOL_RAW, true);
    }
    /* The driver's options: VM_SD_CRC, VM_SD_SHARED, VM_SD_SINGLE_READ. */
    void setCardFlags(uint8_t flags)
    {
        this->c_.flags = static_cast<uint8_t>((this->c_.flags & (VM_SD_POOL_CREATE | VM_SD_POOL_RAW)) |
                                              (flags & ~(VM_SD_POOL_CREATE | VM_SD_POOL_RAW)));
    }
    void setClock(uint32_t hz) { this->c_.clock_hz = hz; }
    /* Where the pool file is, after start. */
    const struct vm_fat_file &fileInfo() const { return this->c_.file_info; }

    int start(Pool &p = vmem::pool())
    {
        this->wire();
        detail::spi_setup(&glue_, *bus_, &this->c_.cs, 1);
        return this->started(vm_sd_pool_start(&this->c_, &glue_.spi), p);
    }

private:
    void flag(uint8_t f, bool on)
    {
        this->c_.flags = static_cast<uint8_t>(on ? (this->c_.flags | f) : (this->c_.flags & ~f));
    }
    struct vm_arduino_spi glue_;
    SPIClass *bus_;
};

/* A PC's RAM over a serial port, served by vmserve. With a HardwareSerial,
 * start() opens it at baud; with any other Stream, open it first. start()
 * waits for the host (attempts 0: forever). The port carries the pager's
 * frames: print nothing else on it (vm_serial_console shows text on
 * vmserve's console). */
template <uint16_t PageSize = 64, uint8_t Pages = 4, uint16_t HeapBlocks = VM_POOL_HEAP_BLOCKS>
class SerialPool : public PoolBase<struct vm_serial_pool, PageSize, Pages, HeapBlocks> {
public:
    explicit SerialPool(HardwareSerial &port, uint32_t baud = 115200ul)
        : port_(&port), hw_(&port), baud_(baud)
    {
    }
    explicit SerialPool(Stream &port, uint32_t baud = 115200ul) : port_(&port), hw_(nullptr), baud_(baud) {}
    void setAttempts(uint16_t n) { this->c_.attempts = n; }
    /* The link, for vm_serial_console and its statistics. */
    struct vm_serial *link() { return &this->c_.dev; }

    int start(Pool &p = vmem::pool())
    {
        this->wire();
        if (hw_) hw_->begin(baud_);
        vm_arduino_uart_begin(&glue_, *port_);
        return this->started(vm_serial_pool_start(&this->c_, &glue_.uart, baud_), p);
    }

private:
    struct vm_arduino_uart glue_;
    Stream *port_;
    HardwareSerial *hw_;
    uint32_t baud_;
};

} // namespace vmem

#endif /* VM_ARDUINO_POOLS_H */
