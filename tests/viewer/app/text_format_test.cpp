// The event log's and details panel's text: offsets, compact args, payload previews (UTF-8).
#include "viewer/view/text_format.h"

#include <gtest/gtest.h>

namespace rscope::viewer
{
namespace
{

TEST(TextFormat, OffsetsUnderASecondAreMillisecondsWithTenthsOfMicroseconds)
{
    EXPECT_EQ(formatOffsetNs(618517200), "+618.5172 ms");
    EXPECT_EQ(formatOffsetNs(0), "+0.0000 ms");
    EXPECT_EQ(formatOffsetNs(2272561000), "+2.272561 s");
}

TEST(TextFormat, OffsetsInATraceKeepTheTraceUnit)
{
    // A 2 s trace: even its first second reads in seconds, so a column never mixes units.
    EXPECT_EQ(formatOffsetNs(618517200, 2000000000), "+0.618517 s");
    EXPECT_EQ(formatOffsetNs(618517200, 619030000), "+618.5172 ms");
}

TEST(TextFormat, TimeReadoutHasOneUnitAndNeverRunsPastTheEnd)
{
    // The issue's "+1.219 s of +619.03 ms": the playback clock ran 600 ms past the last event.
    EXPECT_EQ(formatTimeReadout(1219000000, 619030000), "+619.0300 ms of +619.0300 ms");
    EXPECT_EQ(formatTimeReadout(-5, 619030000), "+0.0000 ms of +619.0300 ms");
    EXPECT_EQ(formatTimeReadout(618424200, 619030000), "+618.4242 ms of +619.0300 ms");
    EXPECT_EQ(formatTimeReadout(618424200, 1219000000), "+0.618424 s of +1.219000 s");
    EXPECT_EQ(formatTimeReadout(0, 0), "+0.0000 ms of +0.0000 ms");
}

TEST(TextFormat, EventNumbersAreOneBasedLikeSeq)
{
    EXPECT_EQ(eventNumber(0), "#1");
    EXPECT_EQ(eventNumber(21), "#22");
}

TEST(TextFormat, CompactArgsDropJsonPunctuationButKeepQuotedCommas)
{
    EXPECT_EQ(compactArgs(R"({"bytes":12,"buffered_total":0})"), "bytes=12 buffered_total=0");
    EXPECT_EQ(compactArgs(R"({"peer_ip":"127.0.0.1","note":"a,b"})"), "peer_ip=127.0.0.1 note=a,b");
    EXPECT_EQ(compactArgs("{}"), "");
}

TEST(TextFormat, PayloadOfUtf8BytesReadsAsChinese)
{
    // "你好" as the trace writes it: each byte escaped.
    EXPECT_EQ(readablePayload(R"(\u00e4\u00bd\u00a0\u00e5\u00a5\u00bd hello\n)"),
              "\xe4\xbd\xa0\xe5\xa5\xbd hello\\n");
}

TEST(TextFormat, PayloadCutInsideACharacterEndsWithAnEllipsis)
{
    EXPECT_EQ(readablePayload(R"(ok \u00e4\u00bd)"), "ok ...");
}

TEST(TextFormat, BinaryPayloadStaysEscaped)
{
    std::string_view binary = R"(\u00ff\u0001ab)";
    EXPECT_EQ(readablePayload(binary), binary);
    EXPECT_EQ(readablePayload(R"(a\u0001b)"), "a\\x01b");
}

}  // namespace
}  // namespace rscope::viewer
