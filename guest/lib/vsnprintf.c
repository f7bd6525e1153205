/* printf-style formatting into a bounded buffer.  Supports %d %i %u %x
 * %X %p %s %c %%, the l and ll length modifiers, a field width (digits
 * or '*'), '0' padding and '-' left alignment. */
#include <stdint.h>
#include <stdbool.h>
#include "kprintf.h"

struct out {
	char *buf;
	size_t size;
	size_t len;
};

struct spec {
	bool left;
	bool zero;
	int width;
	int lng;            /* number of 'l' modifiers */
};

/* Append one character, counting it even when the buffer is full. */
static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

/* Divide *n by base (< 2^32) in place using 32-bit divisions only;
 * returns the remainder.  Avoids a libgcc dependency. */
static uint32_t div64(uint64_t *n, uint32_t base)
{
	uint32_t hi = (uint32_t)(*n >> 32), lo = (uint32_t)*n;
	uint32_t qhi = hi / base, rem = hi % base, qlo;

	__asm__("divl %4" : "=a"(qlo), "=d"(rem) : "a"(lo), "d"(rem), "rm"(base));
	*n = ((uint64_t)qhi << 32) | qlo;
	return rem;
}

/* Emit str (len chars) padded to the spec's width. */
static void put_padded(struct out *o, const struct spec *sp, const char *str,
		       int len, bool neg)
{
	int pad = sp->width - len - (neg ? 1 : 0);
	char fill = (sp->zero && !sp->left) ? '0' : ' ';

	if (neg && fill == '0')
		put(o, '-');
	while (!sp->left && pad-- > 0)
		put(o, fill);
	if (neg && fill == ' ')
		put(o, '-');
	while (len--)
		put(o, *str++);
	while (sp->left && pad-- > 0)
		put(o, ' ');
}

/* Emit an unsigned number in the given base. */
static void put_number(struct out *o, const struct spec *sp, uint64_t v,
		       uint32_t base, bool upper, bool neg)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;

	do {
		tmp[sizeof(tmp) - 1 - n++] = digits[div64(&v, base)];
	} while (v);
	put_padded(o, sp, tmp + sizeof(tmp) - n, n, neg);
}

/* Fetch a signed integer argument of the spec's length. */
static int64_t arg_signed(const struct spec *sp, va_list *ap)
{
	if (sp->lng >= 2)
		return va_arg(*ap, long long);
	if (sp->lng == 1)
		return va_arg(*ap, long);
	return va_arg(*ap, int);
}

/* Fetch an unsigned integer argument of the spec's length. */
static uint64_t arg_unsigned(const struct spec *sp, va_list *ap)
{
	if (sp->lng >= 2)
		return va_arg(*ap, unsigned long long);
	if (sp->lng == 1)
		return va_arg(*ap, unsigned long);
	return va_arg(*ap, unsigned int);
}

/* Parse flags, width and length; returns the conversion character. */
static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	*sp = (struct spec){ 0 };
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = true;
			sp->width = -sp->width;
		}
		f++;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (*f++ - '0');
	while (*f == 'l') {
		sp->lng++;
		f++;
	}
	return f;
}

/* Emit a string (NULL prints as "(null)"), space padded. */
static void put_string(struct out *o, struct spec *sp, const char *str)
{
	int n = 0;

	if (!str)
		str = "(null)";
	while (str[n])
		n++;
	sp->zero = false;
	put_padded(o, sp, str, n, false);
}

/* Format one conversion c according to sp. */
static void convert(struct out *o, char c, struct spec *sp, va_list *ap)
{
	int64_t s;
	char ch;

	switch (c) {
	case 'd': case 'i':
		s = arg_signed(sp, ap);
		put_number(o, sp, s < 0 ? -(uint64_t)s : (uint64_t)s, 10, false, s < 0);
		break;
	case 'u':
		put_number(o, sp, arg_unsigned(sp, ap), 10, false, false);
		break;
	case 'x': case 'X':
		put_number(o, sp, arg_unsigned(sp, ap), 16, c == 'X', false);
		break;
	case 'p':
		put(o, '0');
		put(o, 'x');
		sp->zero = true;
		sp->width = 8;
		put_number(o, sp, (uintptr_t)va_arg(*ap, void *), 16, false, false);
		break;
	case 's':
		put_string(o, sp, va_arg(*ap, const char *));
		break;
	case 'c':
		ch = (char)va_arg(*ap, int);
		sp->zero = false;
		put_padded(o, sp, &ch, 1, false);
		break;
	default:
		put(o, '%');
		if (c)
			put(o, c);
		break;
	}
}

/* Format fmt into buf (always NUL-terminated when size > 0); returns
 * the length the full output would have had. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	struct spec sp;
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &sp, &args);
		if (*fmt == '%')
			put(&o, '%');
		else
			convert(&o, *fmt, &sp, &args);
		if (*fmt)
			fmt++;
	}
	va_end(args);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

/* snprintf: see vsnprintf. */
int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
