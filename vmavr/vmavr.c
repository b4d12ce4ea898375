/*
 * vmavr - run AVR firmware on a simulated MCU (libsimavr) wired to the
 * project's device models: 23LCxxxx SPI SRAM and SD cards on the SPI bus,
 * the serial pager host on USART0.
 *
 *   vmavr firmware.elf --mcu atmega328p --f-cpu 16M --sram cs=PB2 --sd cs=PD4
 *
 * The firmware runs unchanged and cycle by cycle. vmavr prints its UART
 * output on stdout and exits with its exit code: the value in r24 when it
 * stops in avr-libc's exit() (a return from main, or exit(n)); 0 when it
 * stops by sleeping with interrupts off. A cycle report goes to stderr.
 *
 * SPI: simavr's own SPI module ends every byte after a fixed delay, so vmavr
 * takes over SPCR/SPSR/SPDR with IO register hooks and models the timing
 * itself (vmavr_spi.h: SPIF 8 x divider cycles after the SPDR write). Chip
 * selects are GPIO pins, followed through simavr's port IRQs; each byte goes
 * to every device whose CS is low, at the simulated time of the SPDR write.
 *
 * UART: simavr's USART moves the bytes; vmavr sets its frame time from the
 * datasheet (uart_frame_cycles), since simavr's own is 10 % slow.
 *
 * Serial: the bytes the firmware sends on USART0 go through the modelled
 * link (backends/serial/vm_serial_link.h: USB bridge packets and latency
 * timer, host turnaround) to the serial host engine; its replies enter the
 * UART's receiver when the link model says they arrive. Text outside the
 * protocol's frames is printed.
 *
 * Phases: the firmware marks phases by writing a name to GPIOR0 one byte at
 * a time, ended by a 0 byte (target/vmavr_board.h: vmavr_phase). The 0 ends
 * the phase in progress and starts the named one (an empty name just ends
 * it). vmavr reports the cycles between markers.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <simavr/avr_ioport.h>
#include <simavr/avr_uart.h>
#include <simavr/sim_avr.h>
#include <simavr/sim_elf.h>
#include <simavr/sim_regbit.h>

#include "vmavr_spi.h"
#include "vm_sd_image.h"
#include "vm_sd_model.h"
#include "vm_simbus.h"
#include "vm_sram_model.h"
#ifdef VMAVR_HAVE_SERIAL
#include "vm_serial_host.h"
#include "vm_serial_link.h"
#endif

#define VMAVR_VERSION "0.1.0"
#define MAX_DEVS 4
#define MAX_PHASES 64
#define PHASE_NAME 32

/* Data-space addresses, the same on the atmega328p and atmega2560. */
#define ADDR_SPCR 0x4Cu
#define ADDR_SPSR 0x4Du
#define ADDR_SPDR 0x4Eu
#define ADDR_GPIOR0 0x3Eu

/* Exit codes of vmavr's own failures (the firmware's exit code otherwise). */
#define EXIT_USAGE 2
#define EXIT_SIM 3

enum dev_kind { DEV_SRAM, DEV_SD };

struct vmavr;
struct dev {
    struct vmavr *m;
    int kind;
    char port;        /* 'B' */
    int pin;          /* 0..7 */
    int selected;
    struct vm_spi_model spi;
    struct vm_sram_model sram;
    struct vm_sd_model sd;
    /* options */
    unsigned part;
    unsigned sd_kind;
    uint32_t blocks;
    const struct vm_sd_profile *prof;
    uint64_t seed;
    const char *image; /* sd: the card's contents, written back at the end */
};

struct phase {
    char name[PHASE_NAME];
    uint64_t start, cycles;
    uint64_t spi_bytes;
};

struct vmavr {
    avr_t *avr;
    uint32_t f_cpu;
    struct vmavr_spi spi;
    struct vm_simclock clock;
    struct vm_simbus bus; /* read by the models: clock and SCK */
    struct dev dev[MAX_DEVS];
    int ndev;
    int spie_warned;
    /* phases */
    char pname[PHASE_NAME];
    size_t plen;
    struct phase phase[MAX_PHASES];
    int nphase;
    int in_phase;
    /* exit */
    int done;
    int exit_code;
    /* serial */
    int serial;
#ifdef VMAVR_HAVE_SERIAL
    struct vm_serial_link link;
    struct vm_serial_store store;
    struct vm_serial_host *host;
    uint8_t *pool;
    uint32_t pool_size;
    const char *link_profile;
    uint32_t baud;
    uint32_t turnaround_us;
    int turnaround_set;
#endif
    avr_irq_t *uart_in;
    avr_uart_t *uart;
    struct { avr_io_write_t c; void *param; } uart_w[5]; /* simavr's own hooks */
    avr_io_addr_t uart_reg[5];
    uint64_t uart_tx, uart_rx;
};

static const char *prog = "vmavr";

static void die_usage(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (try %s --help)\n", prog);
    exit(EXIT_USAGE);
}

static void usage(void)
{
    printf(
        "usage: vmavr FIRMWARE.elf [options]\n"
        "Run AVR firmware on a simulated MCU (simavr) wired to virtual devices:\n"
        "prints the firmware's UART output, exits with its exit code, and reports\n"
        "the cycles of each phase the firmware marks on stderr.\n"
        "\n"
        "  --mcu NAME         atmega328p (default) or atmega2560 (any simavr core)\n"
        "  --f-cpu HZ         CPU clock: 16000000, 16M, 8M, 20M... (default 16M)\n"
        "  --sram cs=PIN[,part=23lc1024|23lc512|23k256]\n"
        "                     a Microchip SPI SRAM with chip select on PIN (PB2...)\n"
        "  --sd cs=PIN[,card=typical|slow-worn][,kind=sd1|sd2|sdhc][,blocks=N][,seed=N][,image=FILE]\n"
        "                     an SD card on SPI (default sd2, 2048 blocks, seed 1); image=FILE:\n"
        "                     the card holds FILE (a disk image, e.g. mkfs.fat + mcopy),\n"
        "                     written back when the run ends\n"
        "  --serial[=link=PROFILE,baud=N,turnaround=US,size=BYTES]\n"
        "                     the serial pager host on USART0 over a modelled link\n"
        "                     (default ftdi-1ms, 115200 baud, 300 us, 1 MiB pool)\n"
        "  --max-seconds S    stop after S simulated seconds (default 600)\n"
        "  --phases FILE      write the phase report as CSV (phase,cycles,us,spi_bytes)\n"
        "  -q, --quiet        no cycle report on stderr\n"
        "  -h, --help         this text;  --version  the version\n"
        "\n"
        "Phases: the firmware writes a name to GPIOR0 byte by byte, ended by 0;\n"
        "target/vmavr_board.h has vmavr_phase(\"name\").\n"
        "Exit status: the firmware's (r24 at exit(), 0 after sleep with interrupts\n"
        "off); 2 bad arguments or firmware; 3 the firmware crashed or ran too long.\n");
}

/* ---- parsing --------------------------------------------------------------- */

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;
    if (!s || !*s || *s == '-') return -1;
    errno = 0;
    v = strtoull(s, &end, 0);
    if (errno || *end) return -1;
    *out = v;
    return 0;
}

/* "16000000", "16M", "16MHz", "800k". */
static int parse_hz(const char *s, uint32_t *out)
{
    char *end;
    double v;
    if (!s || !*s) return -1;
    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s) return -1;
    if (*end == 'M' || *end == 'm') v *= 1e6, end++;
    else if (*end == 'k' || *end == 'K') v *= 1e3, end++;
    if (!strcmp(end, "Hz") || !strcmp(end, "hz")) end += 2;
    if (*end || v < 1e5 || v > 1e8) return -1;
    *out = (uint32_t)(v + 0.5);
    return 0;
}

static int parse_pin(const char *s, char *port, int *pin)
{
    if (strlen(s) != 3 || (s[0] != 'P' && s[0] != 'p')) return -1;
    char p = (char)(s[1] >= 'a' && s[1] <= 'z' ? s[1] - 32 : s[1]);
    if (p < 'A' || p > 'L' || s[2] < '0' || s[2] > '7') return -1;
    *port = p;
    *pin = s[2] - '0';
    return 0;
}

/* Splits "k=v,k=v" in place; calls fn for each pair. */
static void parse_kv(char *spec, const char *opt, void (*fn)(void *, const char *, const char *, const char *),
                     void *ctx)
{
    char *save = NULL;
    for (char *tok = strtok_r(spec, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq) die_usage("%s: expected key=value, got \"%s\"", opt, tok);
        *eq = 0;
        fn(ctx, opt, tok, eq + 1);
    }
}

static void dev_kv(void *ctx, const char *opt, const char *k, const char *v)
{
    struct dev *d = ctx;
    uint64_t n;
    if (!strcmp(k, "cs")) {
        if (parse_pin(v, &d->port, &d->pin)) die_usage("%s: cs=%s: expected a pin such as PB2", opt, v);
    } else if (d->kind == DEV_SRAM && !strcmp(k, "part")) {
        if (!strcasecmp(v, "23lc1024")) d->part = VM_SRAM_23LC1024;
        else if (!strcasecmp(v, "23lc512")) d->part = VM_SRAM_23LC512;
        else if (!strcasecmp(v, "23k256")) d->part = VM_SRAM_23K256;
        else die_usage("%s: part=%s: expected 23lc1024, 23lc512 or 23k256", opt, v);
    } else if (d->kind == DEV_SD && !strcmp(k, "card")) {
        d->prof = vm_sd_profile_find(v);
        if (!d->prof) die_usage("%s: card=%s: unknown card profile (typical, slow-worn)", opt, v);
    } else if (d->kind == DEV_SD && !strcmp(k, "kind")) {
        if (!strcasecmp(v, "sd1")) d->sd_kind = VM_SD_TYPE_SD1;
        else if (!strcasecmp(v, "sd2")) d->sd_kind = VM_SD_TYPE_SD2;
        else if (!strcasecmp(v, "sdhc")) d->sd_kind = VM_SD_TYPE_SDHC;
        else die_usage("%s: kind=%s: expected sd1, sd2 or sdhc", opt, v);
    } else if (d->kind == DEV_SD && !strcmp(k, "blocks")) {
        if (parse_u64(v, &n) || n < 1 || n > 8388608u) die_usage("%s: blocks=%s: expected 1..8388608", opt, v);
        d->blocks = (uint32_t)n;
    } else if (d->kind == DEV_SD && !strcmp(k, "image")) {
        d->image = strdup(v); /* v lives in a scratch copy of the option */
        if (!d->image) die_usage("%s: out of memory", opt);
    } else if (d->kind == DEV_SD && !strcmp(k, "seed")) {
        if (parse_u64(v, &n)) die_usage("%s: seed=%s: expected a number", opt, v);
        d->seed = n;
    } else {
        die_usage("%s: unknown key \"%s\"", opt, k);
    }
}

#ifdef VMAVR_HAVE_SERIAL
static void serial_kv(void *ctx, const char *opt, const char *k, const char *v)
{
    struct vmavr *m = ctx;
    uint64_t n;
    if (!strcmp(k, "link")) {
        if (!vm_serial_profile_find(v)) die_usage("%s: link=%s: unknown link profile", opt, v);
        m->link_profile = v;
    } else if (!strcmp(k, "baud")) {
        if (parse_u64(v, &n) || n < 300 || n > 12000000u) die_usage("%s: baud=%s: expected 300..12000000", opt, v);
        m->baud = (uint32_t)n;
    } else if (!strcmp(k, "turnaround")) {
        if (parse_u64(v, &n) || n > 10000000u) die_usage("%s: turnaround=%s: expected microseconds", opt, v);
        m->turnaround_us = (uint32_t)n;
        m->turnaround_set = 1;
    } else if (!strcmp(k, "size")) {
        if (parse_u64(v, &n) || n < 16 || n > (256u << 20)) die_usage("%s: size=%s: expected 16..268435456", opt, v);
        m->pool_size = (uint32_t)n;
    } else {
        die_usage("%s: unknown key \"%s\"", opt, k);
    }
}
#endif

/* ---- SPI bus ------------------------------------------------------------------ */

static void sync_clock(struct vmavr *m, uint64_t cycle)
{
    /* ns = cycle * 1e9 / f_cpu, exact for the clocks used (divides 1e9 * k) */
    uint64_t ns = (uint64_t)((unsigned __int128)cycle * 1000000000u / m->f_cpu);
    vm_simclock_until(&m->clock, ns);
}

static uint8_t spi_exchange(void *ctx, uint8_t mosi, uint64_t cycle, unsigned divider)
{
    struct vmavr *m = ctx;
    uint8_t miso = 0xFF;
    int answered = 0;
    sync_clock(m, cycle);
    m->bus.sck_hz = m->f_cpu / divider;
    m->bus.bytes++;
    for (int i = 0; i < m->ndev; i++) {
        struct dev *d = &m->dev[i];
        if (d->selected) {
            uint8_t b = d->spi.exchange(d->spi.ctx, &m->bus, mosi);
            miso = answered ? (uint8_t)(miso & b) : b; /* two drivers: a 0 wins */
            answered = 1;
        } else if (d->spi.unselected) {
            d->spi.unselected(d->spi.ctx, &m->bus, mosi);
        }
    }
    return miso;
}

/* A chip-select pin changed (simavr raises the pin's IRQ on every PORT
 * write for an output pin): tell the device about an edge, at its time. */
static void cs_notify(struct avr_irq_t *irq, uint32_t value, void *param)
{
    struct dev *d = param;
    int sel = value == 0;
    (void)irq;
    if (sel == d->selected) return;
    sync_clock(d->m, d->m->avr->cycle);
    d->selected = sel;
    d->spi.select(d->spi.ctx, &d->m->bus, sel);
}

static void spi_write_hook(struct avr_t *avr, avr_io_addr_t addr, uint8_t v, void *param)
{
    struct vmavr *m = param;
    switch (addr) {
    case ADDR_SPCR:
        vmavr_spi_write_spcr(&m->spi, v, avr->cycle);
        if ((v & AVR_SPCR_SPIE) && !m->spie_warned) {
            fprintf(stderr, "%s: warning: the SPI interrupt (SPIE) is not modelled; poll SPIF\n", prog);
            m->spie_warned = 1;
        }
        if ((v & AVR_SPCR_SPE) && !(v & AVR_SPCR_MSTR) && m->spie_warned < 2) {
            fprintf(stderr, "%s: warning: SPI slave mode is not modelled\n", prog);
            m->spie_warned = 2;
        }
        avr->data[addr] = m->spi.spcr;
        break;
    case ADDR_SPSR:
        vmavr_spi_write_spsr(&m->spi, v, avr->cycle);
        avr->data[addr] = m->spi.spsr;
        break;
    default:
        vmavr_spi_write_spdr(&m->spi, v, avr->cycle);
        avr->data[addr] = m->spi.rx;
        break;
    }
}

static uint8_t spi_read_hook(struct avr_t *avr, avr_io_addr_t addr, void *param)
{
    struct vmavr *m = param;
    switch (addr) {
    case ADDR_SPCR: return vmavr_spi_read_spcr(&m->spi, avr->cycle);
    case ADDR_SPSR: return vmavr_spi_read_spsr(&m->spi, avr->cycle);
    default: return vmavr_spi_read_spdr(&m->spi, avr->cycle);
    }
}

/* Replaces simavr's SPI module on the three registers. */
static void hook_spi(struct vmavr *m)
{
    static const avr_io_addr_t regs[3] = {ADDR_SPCR, ADDR_SPSR, ADDR_SPDR};
    for (int i = 0; i < 3; i++) {
        int io = AVR_DATA_TO_IO(regs[i]);
        m->avr->io[io].w.c = spi_write_hook;
        m->avr->io[io].w.param = m;
        m->avr->io[io].r.c = spi_read_hook;
        m->avr->io[io].r.param = m;
    }
}

/* ---- phases ------------------------------------------------------------------- */

static void phase_mark(struct vmavr *m, uint64_t cycle)
{
    if (m->in_phase) {
        struct phase *p = &m->phase[m->nphase - 1];
        p->cycles = cycle - p->start;
        p->spi_bytes = m->spi.bytes - p->spi_bytes;
        m->in_phase = 0;
    }
    if (m->plen == 0) return;
    if (m->nphase == MAX_PHASES) {
        fprintf(stderr, "%s: warning: more than %d phases; phase \"%s\" not counted\n", prog,
                MAX_PHASES, m->pname);
    } else {
        struct phase *p = &m->phase[m->nphase++];
        memcpy(p->name, m->pname, m->plen + 1);
        p->start = cycle;
        p->cycles = 0;
        p->spi_bytes = m->spi.bytes;
        m->in_phase = 1;
    }
    m->plen = 0;
    m->pname[0] = 0;
}

static void gpior0_hook(struct avr_t *avr, avr_io_addr_t addr, uint8_t v, void *param)
{
    struct vmavr *m = param;
    avr->data[addr] = v;
    if (v == 0) {
        phase_mark(m, avr->cycle);
    } else if (m->plen + 1 < PHASE_NAME) {
        m->pname[m->plen++] = (char)v;
        m->pname[m->plen] = 0;
    }
}

/* ---- UART and the serial link ------------------------------------------------ */

#ifdef VMAVR_HAVE_SERIAL
static void host_console(void *ctx, const uint8_t *buf, size_t n)
{
    (void)ctx;
    fwrite(buf, 1, n, stdout);
}

/* Earliest time something is due on the link (ns), UINT64_MAX if nothing. */
static uint64_t link_next(const struct vmavr *m)
{
    const struct vm_serial_lane *u = &m->link.up, *d = &m->link.down;
    uint64_t t = u->head < u->tail ? u->at[u->head] : UINT64_MAX;
    if (d->head < d->tail && d->at[d->head] < t) t = d->at[d->head];
    return t;
}

/* Runs the link up to the MCU's present and hands the host's bytes that
 * have arrived to the UART receiver. */
static void link_pump(struct vmavr *m)
{
    struct vm_serial_lane *d = &m->link.down;
    sync_clock(m, m->avr->cycle);
    vm_serial_link_run_until(&m->link, vm_simclock_now(&m->clock));
    while (d->head < d->tail && d->at[d->head] <= vm_simclock_now(&m->clock)) {
        avr_raise_irq(m->uart_in, d->byte[d->head++]);
        m->uart_rx++;
    }
}
#endif

static void uart_out(struct avr_irq_t *irq, uint32_t value, void *param)
{
    struct vmavr *m = param;
    uint8_t b = (uint8_t)value;
    (void)irq;
    m->uart_tx++;
#ifdef VMAVR_HAVE_SERIAL
    if (m->serial) {
        sync_clock(m, m->avr->cycle);
        m->link.uart.write(m->link.uart.ctx, &b, 1);
        return;
    }
#endif
    fputc(b, stdout);
}

/* USART0's frame time, from the datasheet (ATmega328P, Atmel-7810D, section
 * 20: Table 20-1, a bit is 16 x (UBRR + 1) CPU cycles, 8 x with U2X; 20.4,
 * a frame is 1 start bit, 5 to 9 data bits, an optional parity bit and 1 or
 * 2 stop bits). simavr 1.6 rounds the frame to whole microseconds and
 * counts one bit too many (1504 cycles for an 8N1 byte at UBRR 16 with U2X
 * where the datasheet gives 1360); vmavr sets the exact figure whenever the
 * firmware changes a register it depends on. */
static avr_cycle_count_t uart_frame_cycles(avr_t *avr, avr_uart_t *u)
{
    unsigned ubrr = (unsigned)(avr->data[u->ubrrh.reg] & 0x0Fu) << 8 | avr->data[u->ubrrl.reg];
    unsigned per_bit = (avr_regbit_get(avr, u->u2x) ? 8u : 16u) * (ubrr + 1u);
    unsigned code = (unsigned)avr_regbit_get(avr, u->ucsz) | (unsigned)avr_regbit_get(avr, u->ucsz2) << 2;
    unsigned data = code == 7u ? 9u : 5u + (code & 3u);
    unsigned parity = (avr->data[u->r_ucsrc] & 0x30u) ? 1u : 0u; /* UPMn1:0 */
    unsigned stop = avr_regbit_get(avr, u->usbs) ? 2u : 1u;
    return (avr_cycle_count_t)per_bit * (1u + data + parity + stop);
}

static void uart_reg_hook(struct avr_t *avr, avr_io_addr_t addr, uint8_t v, void *param)
{
    struct vmavr *m = param;
    for (int i = 0; i < 5; i++) {
        if (m->uart_reg[i] != addr) continue;
        if (m->uart_w[i].c)
            m->uart_w[i].c(avr, addr, v, m->uart_w[i].param);
        else
            avr->data[addr] = v;
        break;
    }
    m->uart->cycles_per_byte = uart_frame_cycles(avr, m->uart);
}

/* Finds simavr's USART0 and wraps the writes of its frame-format registers. */
static void hook_uart_timing(struct vmavr *m)
{
    for (avr_io_t *io = m->avr->io_port; io; io = io->next)
        if (io->kind && !strcmp(io->kind, "uart") && ((avr_uart_t *)io)->name == '0')
            m->uart = (avr_uart_t *)io;
    if (!m->uart) return;
    m->uart_reg[0] = m->uart->r_ucsra;
    m->uart_reg[1] = m->uart->r_ucsrb;
    m->uart_reg[2] = m->uart->r_ucsrc;
    m->uart_reg[3] = m->uart->ubrrl.reg;
    m->uart_reg[4] = m->uart->ubrrh.reg;
    for (int i = 0; i < 5; i++) {
        int io = AVR_DATA_TO_IO(m->uart_reg[i]);
        if (i && m->uart_reg[i] == m->uart_reg[i - 1]) continue;
        m->uart_w[i].c = m->avr->io[io].w.c;
        m->uart_w[i].param = m->avr->io[io].w.param;
        m->avr->io[io].w.c = uart_reg_hook;
        m->avr->io[io].w.param = m;
    }
    m->uart->cycles_per_byte = uart_frame_cycles(m->avr, m->uart);
}

/* simavr's default sleep callback waits in real time; the run is simulated. */
static void no_sleep(struct avr_t *avr, avr_cycle_count_t how_long)
{
    (void)avr;
    (void)how_long;
}

/* simavr's messages: errors and warnings to stderr, chatter ("Loaded 1936
 * .text") dropped so that stdout carries only the firmware's output. */
static void sim_logger(struct avr_t *avr, const int level, const char *fmt, va_list ap)
{
    (void)avr;
    if (level > LOG_WARNING) return;
    fprintf(stderr, "%s: simavr: ", prog);
    vfprintf(stderr, fmt, ap);
}

/* ---- set-up ------------------------------------------------------------------ */

static void attach_devices(struct vmavr *m)
{
    for (int i = 0; i < m->ndev; i++) {
        struct dev *d = &m->dev[i];
        if (d->kind == DEV_SRAM) {
            if (vm_sram_model_init(&d->sram, d->part, 0xFF) != 0) {
                fprintf(stderr, "%s: out of memory for the SRAM model\n", prog);
                exit(EXIT_SIM);
            }
            d->spi = vm_sram_model_spi(&d->sram);
        } else {
            char err[512];
            if (d->image) {
                if (vm_sd_model_load(&d->sd, d->image, d->sd_kind, d->prof, d->seed, err, sizeof err) != 0)
                    die_usage("--sd image=%s", err);
            } else if (vm_sd_model_init(&d->sd, d->sd_kind, d->blocks, d->prof, d->seed) != 0) {
                fprintf(stderr, "%s: out of memory for a %lu-block SD card\n", prog, (unsigned long)d->blocks);
                exit(EXIT_SIM);
            }
            d->spi = vm_sd_model_spi(&d->sd);
        }
        avr_irq_t *irq = avr_io_getirq(m->avr, AVR_IOCTL_IOPORT_GETIRQ(d->port), d->pin);
        if (!irq) die_usage("cs=P%c%d: the %s has no port %c", d->port, d->pin, m->avr->mmcu, d->port);
        avr_irq_register_notify(irq, cs_notify, d);
    }
}

static void setup_uart(struct vmavr *m)
{
    uint32_t flags = 0;
    avr_irq_t *out = avr_io_getirq(m->avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUTPUT);
    m->uart_in = avr_io_getirq(m->avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_INPUT);
    if (!out || !m->uart_in) {
        fprintf(stderr, "%s: the %s has no USART0\n", prog, m->avr->mmcu);
        exit(EXIT_USAGE);
    }
    /* No colour line printing, no real-time sleep while the firmware polls. */
    avr_ioctl(m->avr, AVR_IOCTL_UART_GET_FLAGS('0'), &flags);
    flags &= ~(uint32_t)(AVR_UART_FLAG_STDIO | AVR_UART_FLAG_POLL_SLEEP);
    avr_ioctl(m->avr, AVR_IOCTL_UART_SET_FLAGS('0'), &flags);
    avr_irq_register_notify(out, uart_out, m);
    hook_uart_timing(m);
}

#ifdef VMAVR_HAVE_SERIAL
static void setup_serial(struct vmavr *m)
{
    struct vm_serial_link_config lc;
    struct vm_serial_host_config hc;
    m->pool = calloc(m->pool_size, 1);
    if (!m->pool) {
        fprintf(stderr, "%s: out of memory for a %lu-byte serial pool\n", prog, (unsigned long)m->pool_size);
        exit(EXIT_SIM);
    }
    vm_serial_store_ram(&m->store, m->pool, (vm_addr_t)m->pool_size);
    memset(&lc, 0, sizeof lc);
    lc.clock = &m->clock;
    lc.profile = vm_serial_profile_find(m->link_profile);
    lc.baud = m->baud;
    if (m->turnaround_set)
        lc.turnaround_ns = m->turnaround_us ? m->turnaround_us * 1000u : VM_SERIAL_LINK_NO_TURNAROUND;
    /* lc.cpu stays zero: the board's CPU time is simulated, not modelled */
    if (vm_serial_link_init(&m->link, &lc) != VM_OK) {
        fprintf(stderr, "%s: serial link set-up failed\n", prog);
        exit(EXIT_SIM);
    }
    memset(&hc, 0, sizeof hc);
    hc.store = &m->store.backend;
    hc.send = vm_serial_link_host_send;
    hc.send_ctx = &m->link;
    hc.console = host_console;
    m->host = vm_serial_host_new(&hc);
    if (!m->host) {
        fprintf(stderr, "%s: out of memory for the serial host\n", prog);
        exit(EXIT_SIM);
    }
    vm_serial_link_attach(&m->link, m->host);
}
#endif

/* avr-libc's exit() ends in _exit: "cli" then "rjmp .-2" forever. */
static int stopped_in_exit(const avr_t *avr)
{
    uint32_t pc = avr->pc;
    if (avr->sreg[S_I] || pc + 1 > avr->flashend) return 0;
    return avr->flash[pc] == 0xFF && avr->flash[pc + 1] == 0xCF;
}

/* What elf_read_firmware allocated (simavr has no function for it). Called
 * after avr_terminate, so nothing can still point into it. */
static void free_firmware(elf_firmware_t *f)
{
#if ELF_SYMBOLS
    for (uint32_t i = 0; i < f->symbolcount; i++)
        free(f->symbol[i]);
    free(f->symbol);
#endif
    free(f->flash);
    free(f->eeprom);
    free(f->fuse);
    free(f->lockbits);
}

static void report(struct vmavr *m, const char *fw, const char *how)
{
    double mhz = m->f_cpu / 1e6;
    uint64_t c = m->avr->cycle;
    fprintf(stderr, "%s: %s %s after %" PRIu64 " cycles (%.3f ms at %g MHz)\n", prog, fw, how, c,
            c / mhz / 1000.0, mhz);
    for (int i = 0; i < m->nphase; i++) {
        const struct phase *p = &m->phase[i];
        fprintf(stderr, "%s: phase %-16s %12" PRIu64 " cycles %12.1f us  %8" PRIu64 " SPI bytes\n",
                prog, p->name, p->cycles, p->cycles / mhz, p->spi_bytes);
    }
    if (m->spi.bytes)
        fprintf(stderr, "%s: SPI: %" PRIu64 " bytes, %" PRIu64 " wire cycles, %" PRIu64
                " collisions\n", prog, m->spi.bytes, m->spi.busy_cycles, m->spi.collisions);
    for (int i = 0; i < m->ndev; i++) {
        const struct dev *d = &m->dev[i];
        if (d->kind == DEV_SRAM)
            fprintf(stderr, "%s: sram cs=P%c%d: %" PRIu64 " bytes read, %" PRIu64 " written, %" PRIu64
                    " overspeed\n", prog, d->port, d->pin, d->sram.reads, d->sram.writes, d->sram.overspeed);
        else
            fprintf(stderr, "%s: sd cs=P%c%d: %" PRIu64 " commands, %" PRIu64 " blocks read, %" PRIu64
                    " written, %" PRIu64 " violations\n", prog, d->port, d->pin, d->sd.commands,
                    d->sd.blocks_read, d->sd.blocks_written, d->sd.violations);
    }
#ifdef VMAVR_HAVE_SERIAL
    if (m->serial) {
        const struct vm_serial_host_stats *s = vm_serial_host_stats(m->host);
        fprintf(stderr, "%s: serial: %" PRIu64 " bytes sent, %" PRIu64 " received, %" PRIu64
                " requests, %" PRIu64 " bad CRC\n", prog, m->uart_tx, m->uart_rx, s->frames, s->bad_crc);
    }
#endif
}

static int write_phases(const struct vmavr *m, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fprintf(f, "phase,cycles,us,spi_bytes\n");
    for (int i = 0; i < m->nphase; i++) {
        const struct phase *p = &m->phase[i];
        fprintf(f, "%s,%" PRIu64 ",%.3f,%" PRIu64 "\n", p->name, p->cycles, p->cycles * 1e6 / m->f_cpu,
                p->spi_bytes);
    }
    fprintf(f, "(total),%" PRIu64 ",%.3f,%" PRIu64 "\n", (uint64_t)m->avr->cycle,
            m->avr->cycle * 1e6 / m->f_cpu, m->spi.bytes);
    return fclose(f);
}

int main(int argc, char **argv)
{
    static struct vmavr mach;
    struct vmavr *m = &mach;
    const char *fw = NULL, *mcu = NULL, *phases = NULL;
    double max_seconds = 600;
    int quiet = 0;
    elf_firmware_t f;

    m->f_cpu = 16000000u;
#ifdef VMAVR_HAVE_SERIAL
    m->link_profile = "ftdi-1ms";
    m->baud = 115200;
    m->pool_size = 1u << 20;
#endif
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = NULL;
        char *eq = NULL;
        if (a[0] == '-' && a[1] == '-' && (eq = strchr(a, '=')) != NULL) v = eq + 1;
#define OPT(name) (!strncmp(a, name, strlen(name)) && (a[strlen(name)] == 0 || a[strlen(name)] == '='))
#define NEED() do { if (!v) { if (i + 1 >= argc) die_usage("%s needs a value", a); v = argv[++i]; } } while (0)
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage();
            return 0;
        } else if (!strcmp(a, "--version")) {
            printf("vmavr %s (simavr)\n", VMAVR_VERSION);
            return 0;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = 1;
        } else if (OPT("--mcu")) {
            NEED();
            mcu = v;
        } else if (OPT("--f-cpu")) {
            NEED();
            if (parse_hz(v, &m->f_cpu)) die_usage("--f-cpu %s: expected a clock such as 16M or 8000000", v);
        } else if (OPT("--max-seconds")) {
            NEED();
            char *end;
            max_seconds = strtod(v, &end);
            if (*end || !(max_seconds > 0)) die_usage("--max-seconds %s: expected a positive number", v);
        } else if (OPT("--phases")) {
            NEED();
            phases = v;
        } else if (OPT("--sram") || OPT("--sd")) {
            int sram = OPT("--sram");
            char opt[8];
            snprintf(opt, sizeof opt, "%s", sram ? "--sram" : "--sd");
            NEED();
            if (m->ndev == MAX_DEVS) die_usage("at most %d SPI devices", MAX_DEVS);
            struct dev *d = &m->dev[m->ndev++];
            d->m = m;
            d->kind = sram ? DEV_SRAM : DEV_SD;
            d->port = 0;
            d->part = VM_SRAM_23LC1024;
            d->sd_kind = VM_SD_TYPE_SD2;
            d->blocks = 2048;
            d->seed = 1;
            char *spec = strdup(v);
            if (!spec) return EXIT_SIM;
            parse_kv(spec, opt, dev_kv, d);
            free(spec);
            if (!d->port) die_usage("%s needs cs=PIN", opt);
            for (int k = 0; k < m->ndev - 1; k++)
                if (m->dev[k].port == d->port && m->dev[k].pin == d->pin)
                    die_usage("%s: cs=P%c%d is already another device's chip select", opt, d->port, d->pin);
        } else if (OPT("--serial")) {
#ifdef VMAVR_HAVE_SERIAL
            m->serial = 1;
            if (v) {
                char *spec = strdup(v);
                if (!spec) return EXIT_SIM;
                parse_kv(spec, "--serial", serial_kv, m);
                free(spec);
            }
#else
            die_usage("--serial: this vmavr was built without the serial backend");
#endif
        } else if (a[0] == '-') {
            die_usage("unknown option %s", a);
        } else if (!fw) {
            fw = a;
        } else {
            die_usage("one firmware only (got %s and %s)", fw, a);
        }
#undef OPT
#undef NEED
    }
    if (!fw) die_usage("no firmware given");

    memset(&f, 0, sizeof f);
    avr_global_logger_set(sim_logger);
    {
        FILE *t = fopen(fw, "rb");
        if (!t) {
            fprintf(stderr, "%s: %s: %s\n", prog, fw, strerror(errno));
            return EXIT_USAGE;
        }
        fclose(t);
    }
    if (elf_read_firmware(fw, &f) != 0) {
        fprintf(stderr, "%s: %s: not an AVR ELF file simavr can load\n", prog, fw);
        return EXIT_USAGE;
    }
    if (!mcu) mcu = f.mmcu[0] ? f.mmcu : "atmega328p";
    snprintf(f.mmcu, sizeof f.mmcu, "%s", mcu);
    f.frequency = m->f_cpu;
    m->avr = avr_make_mcu_by_name(f.mmcu);
    if (!m->avr) die_usage("--mcu %s: simavr does not know this MCU", mcu);
    avr_init(m->avr);
    avr_load_firmware(m->avr, &f);
    m->avr->frequency = m->f_cpu;
    m->avr->sleep = no_sleep;

    vm_simbus_init(&m->bus, &m->clock, NULL);
    vmavr_spi_init(&m->spi, spi_exchange, m);
    hook_spi(m);
    avr_register_io_write(m->avr, ADDR_GPIOR0, gpior0_hook, m);
    attach_devices(m);
    setup_uart(m);
#ifdef VMAVR_HAVE_SERIAL
    if (m->serial) setup_serial(m);
#endif

    uint64_t limit = (uint64_t)(max_seconds * m->f_cpu);
    const char *how = NULL;
    int rc = 0;
#ifdef VMAVR_HAVE_SERIAL
    uint64_t next_ns = UINT64_MAX;
#endif
    for (;;) {
        int st = avr_run(m->avr);
#ifdef VMAVR_HAVE_SERIAL
        if (m->serial) {
            uint64_t now = (uint64_t)((unsigned __int128)m->avr->cycle * 1000000000u / m->f_cpu);
            next_ns = link_next(m);
            if (now >= next_ns) link_pump(m);
        }
#endif
        if (st == cpu_Done) {
            how = "stopped (sleep with interrupts off)";
            break;
        }
        if (st == cpu_Crashed) {
            how = "crashed";
            rc = EXIT_SIM;
            break;
        }
        if (stopped_in_exit(m->avr)) {
            rc = m->avr->data[24];
            how = NULL;
            break;
        }
        if (m->avr->cycle > limit) {
            how = "ran out of time (--max-seconds)";
            rc = EXIT_SIM;
            break;
        }
    }
#ifdef VMAVR_HAVE_SERIAL
    /* What the firmware sent last is still in the bridge: let it arrive. */
    if (m->serial && m->link.up.head < m->link.up.tail)
        vm_serial_link_run_until(&m->link, m->link.up.at[m->link.up.tail - 1]);
#endif
    fflush(stdout);
    if (m->in_phase) {
        m->plen = 0;
        phase_mark(m, m->avr->cycle);
    }
    char buf[64];
    if (!how) {
        snprintf(buf, sizeof buf, "exited with %d", rc);
        how = buf;
    }
    if (!quiet || rc == EXIT_SIM) report(m, fw, how);
    if (phases && write_phases(m, phases) != 0) {
        fprintf(stderr, "%s: %s: cannot write the phase report\n", prog, phases);
        if (rc == 0) rc = EXIT_SIM;
    }
    for (int i = 0; i < m->ndev; i++) {
        if (m->dev[i].kind == DEV_SRAM) {
            vm_sram_model_free(&m->dev[i].sram);
            continue;
        }
        if (m->dev[i].image) { /* the card keeps what the firmware wrote */
            char err[512];
            if (vm_sd_model_save(&m->dev[i].sd, m->dev[i].image, err, sizeof err) != 0) {
                fprintf(stderr, "%s: %s\n", prog, err);
                if (rc == 0) rc = EXIT_SIM;
            }
        }
        vm_sd_model_free(&m->dev[i].sd);
        free((void *)m->dev[i].image);
    }
#ifdef VMAVR_HAVE_SERIAL
    if (m->serial) {
        vm_serial_host_free(m->host);
        vm_serial_link_free(&m->link);
        free(m->pool);
    }
#endif
    avr_terminate(m->avr);
    free_firmware(&f);
    return rc;
}
