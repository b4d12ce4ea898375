/*
 * serial_avr_cycles.c - the board's CPU cost of the serial protocol, measured
 * on a simulated ATmega328P at 16 MHz (simavr counts instruction cycles).
 *
 * Build and run: backends/serial/tools/serial-avr-cycles.sh
 *
 * Figures (cycles, target/dt_ticks.h):
 *   crc32_per_byte   vm_sp_crc32_update over 256 bytes, per byte
 *   crc8_header      vm_sp_crc8 over the 4 header bytes
 *   read_256         vm_serial_read of 256 bytes: build and CRC the request,
 *                    receive and CRC the reply (status + 256 + CRC); the uart
 *                    is a RAM buffer holding the ready reply, so no wire time
 *                    is included: this is pure CPU, the part a platform
 *                    profile must add to the link model's wire time
 *   write_256        vm_serial_write of 256 bytes, likewise
 * then per_byte_read / per_byte_write = (x_256 - x_16) / 240: the marginal
 * cost of one more payload byte.
 */
#include <string.h>

#include "dt_platform.h"
#include "dt_ticks.h"
#include "vm_serial.h"

/* key is a DT_STR (in flash). */
static void report(const char *key, uint32_t v)
{
    dt_put_str(key);
    dt_putc(' ');
    dt_put_u32(v);
    dt_putc('\n');
}

/* A uart over RAM: writes are dropped; once the request is written, reads
 * serve `reply` (so the driver's drain before sending finds nothing). */
static uint8_t reply[VM_SP_OVERHEAD + 1u + 256u];
static uint16_t reply_len, reply_pos;

static int mem_write(void *ctx, const uint8_t *buf, size_t n)
{
    (void)ctx;
    (void)buf;
    (void)n;
    reply_pos = 0;
    return 0;
}

static int mem_read(void *ctx, uint8_t *buf, size_t n, uint32_t timeout_ms)
{
    size_t k = 0;
    (void)ctx;
    (void)timeout_ms;
    while (k < n && reply_pos < reply_len) buf[k++] = reply[reply_pos++];
    return (int)k;
}

static uint32_t mem_millis(void *ctx)
{
    (void)ctx;
    return 0;
}

static uint8_t data[256];
static struct vm_serial drv;

static void arm(uint8_t type, const uint8_t *payload, uint16_t n)
{
    reply_len = (uint16_t)vm_sp_encode(reply, (uint8_t)(type | VM_SP_REPLY), drv.seq, payload, n);
    reply_pos = reply_len;
}

static uint8_t payload[1u + 256u];

static uint32_t time_read(uint16_t n, int *ok)
{
    uint32_t t0, t1;
    payload[0] = VM_SP_OK;
    memset(payload + 1, 0x5A, n);
    arm(VM_SP_READ, payload, (uint16_t)(1u + n));
    t0 = dt_ticks();
    *ok &= vm_serial_read(&drv, 0, data, n) == VM_OK;
    t1 = dt_ticks();
    *ok &= data[n - 1u] == 0x5A;
    return t1 - t0;
}

static uint32_t time_write(uint16_t n, int *ok)
{
    uint32_t t0, t1;
    payload[0] = VM_SP_OK;
    arm(VM_SP_WRITE, payload, 1);
    t0 = dt_ticks();
    *ok &= vm_serial_write(&drv, 0, data, n) == VM_OK;
    t1 = dt_ticks();
    return t1 - t0;
}

int main(void)
{
    struct vm_uart u;
    struct vm_serial_config cfg;
    uint32_t t0, base, c32, c8, r16, r256, w16, w256;
    uint8_t hello[8];
    int ok = 1;

    dt_init();
    dt_ticks_init();

    t0 = dt_ticks();
    base = dt_ticks() - t0;
    t0 = dt_ticks();
    c32 = vm_sp_crc32_update(VM_SP_CRC32_INIT, data, sizeof data);
    c32 = dt_ticks() - t0 - base + (c32 & 0u);
    t0 = dt_ticks();
    c8 = vm_sp_crc8(0, data, 4);
    c8 = dt_ticks() - t0 - base + (c8 & 0u);

    u.write = mem_write;
    u.read = mem_read;
    u.millis = mem_millis;
    u.ctx = NULL;
    memset(&cfg, 0, sizeof cfg);
    cfg.uart = &u;
    cfg.max_data = 256;
    ok &= vm_serial_init(&drv, &cfg) == VM_OK;
    hello[0] = VM_SP_OK;
    hello[1] = VM_SP_VERSION;
    vm_sp_put16(hello + 2, 256);
    vm_sp_put32(hello + 4, 65536ul);
    arm(VM_SP_HELLO, hello, 8);
    ok &= vm_serial_hello(&drv) == VM_OK;

    r16 = time_read(16, &ok) - base;
    r256 = time_read(256, &ok) - base;
    w16 = time_write(16, &ok) - base;
    w256 = time_write(256, &ok) - base;

    report(DT_STR("crc32_per_byte_x10"), c32 * 10u / sizeof data);
    report(DT_STR("crc8_header"), c8);
    report(DT_STR("read_16"), r16);
    report(DT_STR("read_256"), r256);
    report(DT_STR("write_16"), w16);
    report(DT_STR("write_256"), w256);
    report(DT_STR("per_byte_read_x10"), (r256 - r16) * 10u / 240u);
    report(DT_STR("per_byte_write_x10"), (w256 - w16) * 10u / 240u);
    report(DT_STR("sizeof_vm_serial"), sizeof(struct vm_serial));
    dt_put_str(ok ? DT_STR("ops=6 PASS\n") : DT_STR("ops=6 FAIL\n"));
    dt_exit(0);
    return 0;
}
