/* tests/unit/test_serial.c - the COM1 16550 model. */
#include <string.h>

#include "serial.h"
#include "unit.h"

typedef struct sink {
    uint8_t buf[64];
    unsigned n;
} sink;

/* Serial callback: appends the byte to the sink. */
static void sink_out(void *ctx, uint8_t byte)
{
    sink *k = ctx;
    if (k->n < sizeof k->buf)
        k->buf[k->n++] = byte;
}

static const emu_access acc = { 0, 1234, 0 };

/* Byte read of register reg through the device ops. */
static uint32_t rd(emu_serial *s, uint32_t reg)
{
    return emu_serial_ops()->read(s, reg, 1, &acc);
}

/* Byte write of register reg through the device ops. */
static void wr(emu_serial *s, uint32_t reg, uint32_t v)
{
    emu_serial_ops()->write(s, reg, v, 1, &acc);
}

/* Byte peek of register reg. */
static uint32_t pk(emu_serial *s, uint32_t reg)
{
    return emu_serial_ops()->peek(s, reg, 1);
}

/* THR bytes reach the callback in order; DLAB writes to offset 0 do not. */
static void test_output(void)
{
    sink k = { .n = 0 };
    emu_serial *s = emu_serial_create(sink_out, &k);
    const char *msg = "Hi\n\x00\xff";

    for (unsigned i = 0; i < 5; i++)
        wr(s, 0, (uint8_t)msg[i]);
    CHECK_EQ(k.n, 5);
    CHECK(memcmp(k.buf, msg, 5) == 0);
    wr(s, 3, 0x80);
    wr(s, 0, 'X');
    CHECK_EQ(k.n, 5);
    wr(s, 3, 0x03);
    emu_serial_ops()->write(s, 0, 0x1241, 4, &acc);   /* low byte only */
    CHECK_EQ(k.n, 6);
    CHECK_EQ(k.buf[5], 0x41);
    emu_serial_destroy(s);
}

/* DLAB=1 maps offsets 0/1 to DLL/DLM; DLAB=0 back to RBR/IER. */
static void test_dlab(void)
{
    sink k = { .n = 0 };
    emu_serial *s = emu_serial_create(sink_out, &k);

    wr(s, 1, 0x05);          /* IER */
    wr(s, 3, 0x80);          /* DLAB */
    CHECK_EQ(rd(s, 3), 0x80);
    wr(s, 0, 0x03);          /* DLL: 38400 baud */
    wr(s, 1, 0x01);          /* DLM */
    CHECK_EQ(rd(s, 0), 0x03);
    CHECK_EQ(rd(s, 1), 0x01);
    wr(s, 3, 0x03);          /* 8N1, DLAB off */
    CHECK_EQ(rd(s, 3), 0x03);
    CHECK_EQ(rd(s, 1), 0x05);
    CHECK_EQ(rd(s, 0), 0x00);
    wr(s, 1, 0xFF);
    CHECK_EQ(rd(s, 1), 0x0F);  /* IER has 4 bits */
    wr(s, 3, 0x83);
    CHECK_EQ(rd(s, 0), 0x03);
    CHECK_EQ(rd(s, 1), 0x01);
    CHECK_EQ(k.n, 0);
    emu_serial_destroy(s);
}

/* LSR, IIR (with and without FIFOs), MCR, MSR and scratch. */
static void test_status(void)
{
    emu_serial *s = emu_serial_create(NULL, NULL);

    CHECK_EQ(rd(s, 5), 0x60);
    wr(s, 0, 'a');                 /* no callback: dropped */
    CHECK_EQ(rd(s, 5), 0x60);
    CHECK_EQ(rd(s, 2), 0x01);
    wr(s, 2, 0xC7);                /* enable + clear FIFOs */
    CHECK_EQ(rd(s, 2), 0xC1);
    CHECK_EQ(rd(s, 2), 0xC1);
    wr(s, 2, 0x00);
    CHECK_EQ(rd(s, 2), 0x01);
    CHECK_EQ(rd(s, 7), 0x00);
    wr(s, 7, 0x5A);
    CHECK_EQ(rd(s, 7), 0x5A);
    wr(s, 7, 0xA5);
    CHECK_EQ(rd(s, 7), 0xA5);
    wr(s, 4, 0x0B);
    CHECK_EQ(rd(s, 4), 0x0B);
    CHECK_EQ(rd(s, 6), 0xB0);
    wr(s, 5, 0x00);                /* LSR is read-only */
    CHECK_EQ(rd(s, 5), 0x60);
    emu_serial_destroy(s);
}

/* Loopback: THR goes to RBR (DR set) instead of the callback; MSR mirrors MCR. */
static void test_loopback(void)
{
    sink k = { .n = 0 };
    emu_serial *s = emu_serial_create(sink_out, &k);

    wr(s, 4, 0x1E);                /* loop, RTS, OUT1, OUT2 */
    CHECK_EQ(rd(s, 6), 0xD0);      /* CTS, RI, DCD */
    wr(s, 0, 0xAE);
    CHECK_EQ(k.n, 0);
    CHECK_EQ(rd(s, 5), 0x61);
    CHECK_EQ(pk(s, 0), 0xAE);
    CHECK_EQ(pk(s, 5), 0x61);      /* peek did not consume */
    CHECK_EQ(rd(s, 0), 0xAE);
    CHECK_EQ(rd(s, 5), 0x60);
    wr(s, 4, 0x0F);
    wr(s, 0, 'z');
    CHECK_EQ(k.n, 1);
    CHECK_EQ(k.buf[0], 'z');
    emu_serial_destroy(s);
}

/* Peek returns what read would for every register, in both DLAB states,
 * and a full peek sweep leaves every read value unchanged. */
static void test_peek(void)
{
    sink k = { .n = 0 };
    emu_serial *s = emu_serial_create(sink_out, &k);
    uint32_t before[8], after[8];

    wr(s, 1, 0x03); wr(s, 2, 0x01); wr(s, 4, 0x13); wr(s, 7, 0x77);
    wr(s, 0, 0x42);                /* looped back: DR set */
    for (uint32_t r = 0; r < 8; r++)
        before[r] = pk(s, r);
    for (int sweep = 0; sweep < 3; sweep++)
        for (uint32_t r = 0; r < 8; r++)
            CHECK_EQ(pk(s, r), before[r]);
    CHECK_EQ(before[0], 0x42);
    CHECK_EQ(before[5], 0x61);
    for (int r = 7; r >= 0; r--)       /* LSR before RBR: reading RBR clears DR */
        after[r] = rd(s, (uint32_t)r);
    CHECK(memcmp(before, after, sizeof before) == 0);
    wr(s, 3, 0x80); wr(s, 0, 0x01); wr(s, 1, 0x02);
    for (uint32_t r = 0; r < 8; r++)
        CHECK_EQ(pk(s, r), rd(s, r));
    CHECK_EQ(k.n, 0);
    emu_serial_destroy(s);
}

/* Runs every serial test; non-zero exit on any failure. */
int main(void)
{
    test_output();
    test_dlab();
    test_status();
    test_loopback();
    test_peek();
    return unit_done();
}
