/*
 * vm_serial_link.h - a modelled serial link between a board and a PC, in
 * simulated time, with seeded fault injection.
 *
 * Desktop only. The board side is a struct vm_uart (give it to vm_serial);
 * the PC side is a vm_serial_host that the link feeds and whose replies it
 * carries back. Time moves only on the shared struct vm_simclock, and only
 * when the board waits in uart.read; writes queue bytes with their arrival
 * times. Everything is single-threaded and a pure function of (config, seed).
 *
 * What is modelled (FTDI latency timer: ftdichip.com knowledge base, default 16 ms, 1-255 ms;
 * round trips: neophob.com/2010/11/arduino-serial-latency):
 *  - UART wire: bits_per_byte bit times per byte at the bit rate (8N1: 10
 *    bits, 86.8 us a byte at 115200; heavydeck.net "measuring serial port
 *    latency"). One byte at a time per direction.
 *  - USB bridge, board -> PC: bytes are grouped into IN packets of
 *    packet_data bytes (FTDI: 64-byte packets, 62 data + 2 status; Arduino
 *    forum topic 96). A full packet goes at once; a partial one waits for
 *    the bridge's latency timer, flush_ns after its first byte (FTDI default
 *    16 ms, 1 ms low latency: ftdichip.com knowledgebase, Linux ftdi_sio).
 *    That full packets go at once is FTDI's AN232B-04 ("Small Amounts of
 *    Data and End of Buffer Conditions": sent when 62 user bytes are
 *    buffered, or when the timer expires). The real timer runs from the
 *    last packet sent, so its phase is random; we take the worst case, a
 *    whole period. USB time itself is not added: at <= 1 Mbaud the UART is
 *    10x slower than USB full speed.
 *  - Uno/Mega ATmega8U2/16U2 bridge (firmware Arduino-usbserial,
 *    github.com/arduino/ArduinoCore-avr firmwares/atmegaxxu2/arduino-usbserial:
 *    Arduino-usbserial.c, Lib/LightweightRingBuff.h): received UART bytes
 *    go into a 128-byte ring; the main loop moves them all to the USB IN
 *    endpoint when Timer0 overflows (TCCR0B = 1 << CS02: 16 MHz / 256 /
 *    256 = every 4.096 ms, free-running: its phase does not depend on the
 *    traffic) or when more than BUFFER_NEARLY_FULL = 96 bytes wait. The
 *    model ticks at multiples of tick_ns on the simulated clock.
 *  - Native USB CDC (Teensy, Leonardo, Due): the baud setting is ignored
 *    (pjrc.com/teensy/td_serial.html); both directions run at 12 Mbit/s,
 *    8 bits a byte, plus packet_overhead byte times per 64-byte packet, which
 *    caps it at 19 packets per 1 ms frame, 1216 KB/s (measured: Teensy 3.0
 *    1088 KB/s, forum topic 132811). The board glue flushes after each frame
 *    (Teensy send_now), so no flush timer. Full speed runs in 1 ms frames
 *    (USB 2.0 specification, section 8.4.3.1: a start-of-frame every
 *    1.000 ms); the host controller reports completed transfers to its
 *    driver once per frame (OHCI 1.0a, section 4.5 and HcInterruptStatus
 *    WritebackDoneHead: the done queue is written back at a frame's end), so
 *    board bytes reach the host at the next frame boundary (frame_ns), and
 *    the reply leaves after the host's turnaround from there.
 *  - Host turnaround: the PC's time from a request's arrival to its reply
 *    leaving, a parameter (default 300 us: heavydeck.net measured a 1309 us
 *    echo with a 1 ms FTDI timer, so about 0.3 ms is the host's share).
 *  - Faults, per byte on the wire in either direction: drop, flip one bit,
 *    insert a random byte before it; per reply: answer late by late_ms (a
 *    stalled host: later replies queue behind it); and
 *    a host that is gone (hears nothing, says nothing).
 */
#ifndef VM_SERIAL_LINK_H
#define VM_SERIAL_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "vm_bus.h"
#include "vm_simclock.h"
#include "vm_serial_host.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vm_serial_profile {
    const char *name;
    uint32_t bit_rate;       /* default wire bit rate (baud, or 12e6 for CDC) */
    uint8_t bits_per_byte;   /* 10 for an 8N1 UART, 8 for native USB */
    uint8_t packet_data;     /* data bytes per USB IN packet */
    uint8_t packet_overhead; /* byte times of USB overhead per packet (CDC) */
    uint8_t baud_ignored;    /* native USB: a requested baud changes nothing */
    uint32_t flush_ns;       /* the bridge's latency timer for a partial packet */
    uint32_t tick_ns;        /* free-running flush tick (8U2/16U2), 0: none */
    uint8_t tick_fill;       /* with tick_ns: more buffered bytes than this flush at once */
    uint32_t frame_ns;       /* USB frame (native USB): the host sees board data at frame ends */
};

/* Named profiles: "ftdi-16ms", "ftdi-1ms", "uno-8u2", "cdc" (any letter case).
 * NULL if unknown. */
const struct vm_serial_profile *vm_serial_profile_find(const char *name);
/* The i-th profile, NULL past the end. */
const struct vm_serial_profile *vm_serial_profile_at(unsigned i);

/* Chances are in 1/65536 units. A zeroed struct means no faults. */
struct vm_serial_faults {
    uint64_t seed;
    uint16_t drop;     /* per byte: lost on the wire */
    uint16_t flip;     /* per byte: one bit inverted */
    uint16_t garbage;  /* per byte: a random byte inserted before it */
    uint16_t late;     /* per reply: the host answers late_ms late */
    uint32_t late_ms;
    uint8_t gone;      /* the host neither hears nor answers */
};

struct vm_serial_link_stats {
    uint64_t to_host;    /* bytes the board sent */
    uint64_t to_board;   /* bytes the host sent */
    uint64_t dropped;
    uint64_t flipped;
    uint64_t inserted;
    uint64_t late;       /* replies delayed */
    uint64_t lost;       /* bytes sent while the host was gone */
    uint64_t wire_ns;    /* wire time of every byte, both directions */
    uint64_t cpu_ns;     /* the board's protocol CPU charged */
};

/* The board's own CPU time for the protocol (copying, CRCs, frame set-up),
 * charged on the shared clock so that it overlaps the wire as on a board:
 * bytes keep arriving while the board computes. 0: not modelled. */
struct vm_serial_board_cpu {
    uint32_t rx_byte_ns;  /* per byte received */
    uint32_t tx_byte_ns;  /* per byte sent */
    uint32_t request_ns;  /* per request: set-up, header CRCs, uart calls */
};
/* A board's figures come from its platform profile (vm_platform.c, measured
 * by tools/serial-avr-cycles.sh): vm_serial_board_cpu_of (vm_serial_dev.h). */

/* One direction of the link: bytes in flight with the time each becomes
 * visible to its receiver (non-decreasing). */
struct vm_serial_lane {
    uint8_t *byte;
    uint64_t *at;
    size_t head, tail, cap;
    uint64_t wire_free;  /* when the wire can start the next byte */
    size_t pkt_fill;     /* bytes in the current packet */
    size_t pkt_start;    /* index of its first byte (IN lane with a timer) */
    uint64_t pkt_first;  /* arrival of its first byte at the bridge */
    int pkt_open;
};

struct vm_serial_link {
    struct vm_uart uart;           /* the board's side: give it to vm_serial */
    struct vm_simclock *clock;
    struct vm_serial_profile profile;
    uint32_t bit_rate;
    uint64_t byte_ns;
    uint64_t turnaround_ns;
    uint64_t host_free;            /* the host is busy until then */
    struct vm_serial_board_cpu cpu;
    int board_reading;             /* the board's last uart call was a read */
    struct vm_serial_host *host;
    struct vm_serial_faults faults;
    uint64_t rng;
    struct vm_serial_lane up;      /* board -> host */
    struct vm_serial_lane down;    /* host -> board */
    struct vm_serial_link_stats stats;
    uint8_t *feed;                 /* scratch for feeding the host */
    size_t feed_cap;
};

struct vm_serial_link_config {
    struct vm_simclock *clock;              /* required */
    const struct vm_serial_profile *profile; /* required */
    uint32_t baud;          /* 0: the profile's rate (ignored by native USB) */
    uint32_t turnaround_ns; /* 0: 300 us; VM_SERIAL_LINK_NO_TURNAROUND for 0 */
    struct vm_serial_board_cpu cpu; /* zeroed: the board's CPU is free */
};
#define VM_SERIAL_LINK_NO_TURNAROUND 0xFFFFFFFFu

/* VM_OK, or VM_ERR_INVAL / VM_ERR_NOMEM. */
int vm_serial_link_init(struct vm_serial_link *l, const struct vm_serial_link_config *cfg);
void vm_serial_link_free(struct vm_serial_link *l);

/* The host's send callback: pass it with ctx = the link in
 * vm_serial_host_config, then attach the host. */
void vm_serial_link_host_send(void *link, const uint8_t *buf, size_t n);
void vm_serial_link_attach(struct vm_serial_link *l, struct vm_serial_host *h);

/* Replace the fault settings (a zeroed struct stops all faults). */
void vm_serial_link_faults(struct vm_serial_link *l, const struct vm_serial_faults *f);

/* Bytes per second the wire can carry at most (the "wire limit"). */
double vm_serial_link_wire_limit(const struct vm_serial_link *l);

/* Let simulated time run to t (delivering everything due by then). */
void vm_serial_link_run_until(struct vm_serial_link *l, uint64_t t);

#ifdef __cplusplus
}
#endif

#endif /* VM_SERIAL_LINK_H */
