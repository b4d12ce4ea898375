/*
 * vm_sd_crc.c - the SD card's CRC7 (commands) and CRC16-CCITT (data blocks),
 * bit by bit: small and portable; speed only matters with VM_SD_CRC on.
 */
#include "vm_sd.h"

/* CRC7, polynomial x^7 + x^3 + 1, MSB first. Returns (crc << 1) | 1, the
 * byte that ends a command frame (0x95 for CMD0, 0x87 for CMD8(0x1AA)). */
uint8_t vm_sd_crc7(const uint8_t *p, size_t n)
{
    uint8_t crc = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        uint8_t d = p[i];
        uint8_t b;
        for (b = 0; b < 8u; b++) {
            uint8_t in = (uint8_t)(((d >> 7) ^ (crc >> 6)) & 1u);
            crc = (uint8_t)(((unsigned)crc << 1) & 0x7Fu);
            if (in) crc ^= 0x09u;
            d = (uint8_t)(d << 1);
        }
    }
    return (uint8_t)(((unsigned)crc << 1) | 1u);
}

/* CRC16-CCITT, polynomial 0x1021, initial value 0, MSB first: a byte at a
 * time by shifts, without a table (the eight bit steps of the polynomial
 * folded; avr-libc <util/crc16.h> _crc_xmodem_update documents the same
 * polynomial). */
uint16_t vm_sd_crc16(const uint8_t *p, size_t n)
{
    uint16_t crc = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        crc = (uint16_t)((crc >> 8) | (crc << 8));
        crc ^= p[i];
        crc ^= (uint16_t)((crc & 0xFFu) >> 4);
        crc ^= (uint16_t)(crc << 12);
        crc ^= (uint16_t)((crc & 0xFFu) << 5);
    }
    return crc;
}
