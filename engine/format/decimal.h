// writeDecimal: integers as decimal text for the trace serialiser, in 8-digit chunks whose
// digit pairs come from one table (independent multiplications, no loop-carried division as in a
// digit-pair loop). A trace line has ~70 digits, so this is most of the line's cost.
// CAUTION: writes up to 8 bytes past the returned end; the caller's buffer has that slack
// (kMaxEventLineBytes). Pure functions, any thread.
#pragma once

#include <cstdint>
#include <cstring>

// Little-endian only: digits are assembled in a register, first digit in the low byte.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__);

namespace rscope::trace
{

namespace decimal_detail
{
inline constexpr char kPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

inline uint64_t pair(uint32_t v)  // two ASCII digits, first one in the low byte
{
    uint16_t two;
    std::memcpy(&two, kPairs + 2 * v, 2);
    return two;
}
// The 8 digits of v < 10^8 (leading zeros kept) in one register, first digit in the low byte:
// built in a register and stored once, so no narrow stores feed a wide load (a stall).
inline uint64_t eightDigits(uint32_t v)
{
    uint32_t hi = v / 10000, lo = v % 10000;
    return pair(hi / 100) | pair(hi % 100) << 16 | pair(lo / 100) << 32 | pair(lo % 100) << 48;
}
inline void put8(char* p, uint32_t v)
{
    uint64_t d = eightDigits(v);
    std::memcpy(p, &d, 8);
}
inline char* putUpTo8(char* p, uint32_t v)  // 1 to 8 digits, no leading zeros; v < 10^8
{
    if (v < 10)
    {
        *p = static_cast<char>('0' + v);
        return p + 1;
    }
    int n = v < 100        ? 2
            : v < 1000     ? 3
            : v < 10000    ? 4
            : v < 100000   ? 5
            : v < 1000000  ? 6
            : v < 10000000 ? 7
                           : 8;
    uint64_t d = eightDigits(v) >> (8 * (8 - n));  // drop the leading zeros
    std::memcpy(p, &d, 8);                         // the n digits, then slack
    return p + n;
}
}  // namespace decimal_detail

inline char* writeDecimal(char* p, uint64_t v)
{
    using namespace decimal_detail;
    constexpr uint64_t k8 = 100'000'000;
    if (v < k8) return putUpTo8(p, static_cast<uint32_t>(v));
    uint64_t high = v / k8;
    auto low = static_cast<uint32_t>(v % k8);
    if (high < k8)
        p = putUpTo8(p, static_cast<uint32_t>(high));
    else
    {
        p = putUpTo8(p, static_cast<uint32_t>(high / k8));
        put8(p, static_cast<uint32_t>(high % k8));
        p += 8;
    }
    put8(p, low);
    return p + 8;
}

inline char* writeDecimal(char* p, int64_t v)
{
    if (v >= 0) return writeDecimal(p, static_cast<uint64_t>(v));
    *p++ = '-';
    return writeDecimal(p, 0 - static_cast<uint64_t>(v));
}

}  // namespace rscope::trace
