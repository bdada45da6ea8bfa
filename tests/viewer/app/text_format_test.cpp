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
