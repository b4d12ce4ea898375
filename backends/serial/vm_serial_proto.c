/*
 * vm_serial_proto.c - CRCs and frame encoding of the serial pager protocol.
 * Portable C99 (runs on the board): no malloc, no stdio, no float.
 */
#include "vm_serial_proto.h"

/* On AVR, const data is copied to RAM unless it is put in flash. */
#if defined(__AVR__)
#include <avr/pgmspace.h>
#define VM_SP_FLASH PROGMEM
#define VM_SP_TABLE(t, i) pgm_read_dword(&(t)[i])
#else
#define VM_SP_FLASH
#define VM_SP_TABLE(t, i) ((t)[i])
#endif

uint8_t vm_sp_crc8(uint8_t crc, const uint8_t *p, size_t n)
{
    while (n--) {
        uint8_t b;
        crc ^= *p++;
        for (b = 0; b < 8u; b++)
            crc = (uint8_t)((crc & 0x80u) ? (uint8_t)(crc << 1) ^ 0x07u : (uint8_t)(crc << 1));
    }
    return crc;
}

/* CRC-32 of one nibble value, reflected poly 0xEDB88320: 64 bytes (in flash
 * on AVR), a quarter of the speed of a 1 KiB byte table for 1/16 the size. */
static const uint32_t crc32_nibble[16] VM_SP_FLASH = {
    0x00000000ul, 0x1DB71064ul, 0x3B6E20C8ul, 0x26D930ACul,
    0x76DC4190ul, 0x6B6B51F4ul, 0x4DB26158ul, 0x5005713Cul,
    0xEDB88320ul, 0xF00F9344ul, 0xD6D6A3E8ul, 0xCB61B38Cul,
    0x9B64C2B0ul, 0x86D3D2D4ul, 0xA00AE278ul, 0xBDBDF21Cul,
};

uint32_t vm_sp_crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
    while (n--) {
        crc ^= *p++;
        crc = (crc >> 4) ^ VM_SP_TABLE(crc32_nibble, crc & 15u);
        crc = (crc >> 4) ^ VM_SP_TABLE(crc32_nibble, crc & 15u);
    }
    return crc;
}

void vm_sp_header(uint8_t hdr[VM_SP_HEADER], uint8_t type, uint8_t seq, uint16_t len)
{
    hdr[0] = VM_SP_SYNC;
    hdr[1] = type;
    hdr[2] = seq;
    vm_sp_put16(hdr + 3, len);
    hdr[5] = vm_sp_crc8(0, hdr + 1, 4);
}

int vm_sp_header_ok(const uint8_t hdr[VM_SP_HEADER], uint16_t max_len)
{
    return hdr[0] == VM_SP_SYNC && vm_sp_crc8(0, hdr + 1, 4) == hdr[5] &&
           vm_sp_get16(hdr + 3) <= max_len;
}

uint32_t vm_sp_frame_crc(const uint8_t *frame, uint16_t len)
{
    return vm_sp_crc32_final(
        vm_sp_crc32_update(VM_SP_CRC32_INIT, frame + 1, (size_t)VM_SP_HEADER - 1u + len));
}

size_t vm_sp_encode(uint8_t *out, uint8_t type, uint8_t seq, const uint8_t *payload,
                    uint16_t len)
{
    uint16_t i;
    vm_sp_header(out, type, seq, len);
    for (i = 0; i < len; i++)
        out[VM_SP_HEADER + i] = payload[i];
    vm_sp_put32(out + VM_SP_HEADER + len, vm_sp_frame_crc(out, len));
    return (size_t)VM_SP_OVERHEAD + len;
}
