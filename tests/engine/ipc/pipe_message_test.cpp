// The pipe header's wire layout (model section 3.5) and the type names logs and traces print:
// the numbers and names follow swoole's enum ServerEventType so a learner can match its source.
#include "engine/ipc/pipe_message.h"

#include <cstddef>
#include <cstring>
#include <string>

#include <gtest/gtest.h>

namespace rscope::ipc
{
namespace
{

TEST(PipeMessage, TypeNumbersAndNamesFollowSwoole)
{
    struct Expected
    {
        PipeType type;
        int wireValue;
        const char* name;
    };
    const Expected expected[] = {
        {PipeType::RecvData, 0, "RECV_DATA"},
        {PipeType::SendData, 2, "SEND_DATA"},
        {PipeType::Close, 4, "CLOSE"},
        {PipeType::Connect, 5, "CONNECT"},
        {PipeType::CloseForce, 6, "CLOSE_FORCE"},
        {PipeType::CloseForward, 7, "CLOSE_FORWARD"},
        {PipeType::Task, 8, "TASK"},
        {PipeType::Finish, 9, "FINISH"},
        {PipeType::PipeMessage, 10, "PIPE_MESSAGE"},
        {PipeType::Incoming, 15, "INCOMING"},
        {PipeType::Shutdown, 16, "SHUTDOWN"},
    };
    for (const Expected& e : expected)
    {
        EXPECT_EQ(static_cast<int>(e.type), e.wireValue) << e.name;
        EXPECT_STREQ(pipeTypeName(e.type), e.name);
    }
}

TEST(PipeMessage, NumbersWithoutATypeAreNamedUnknown)
{
    for (int value : {1, 3, 11, 14, 17, 255})
        EXPECT_STREQ(pipeTypeName(static_cast<PipeType>(value)), "UNKNOWN") << value;
}

TEST(PipeMessage, ChunkFlagsAreDistinctBitsOutsideEachOther)
{
    EXPECT_EQ(kFlagChunk & kFlagBegin, 0);
    EXPECT_EQ(kFlagChunk & kFlagEnd, 0);
    EXPECT_EQ(kFlagBegin & kFlagEnd, 0);
    EXPECT_EQ(kCloseActively & kCloseReset, 0u);
}

// Every process of one build reads the same 48 bytes: fields at fixed offsets, no padding.
TEST(PipeMessage, HeaderFieldsSitAtFixedOffsets)
{
    EXPECT_EQ(offsetof(PipeHeader, session), 0u);
    EXPECT_EQ(offsetof(PipeHeader, msgId), 8u);
    EXPECT_EQ(offsetof(PipeHeader, flowId), 16u);
    EXPECT_EQ(offsetof(PipeHeader, timeNs), 24u);
    EXPECT_EQ(offsetof(PipeHeader, len), 32u);
    EXPECT_EQ(offsetof(PipeHeader, reactorId), 36u);
    EXPECT_EQ(offsetof(PipeHeader, type), 38u);
    EXPECT_EQ(offsetof(PipeHeader, flags), 39u);
    EXPECT_EQ(offsetof(PipeHeader, workerId), 40u);
    EXPECT_EQ(offsetof(PipeHeader, serverFd), 42u);
    EXPECT_EQ(offsetof(PipeHeader, aux), 44u);
    EXPECT_EQ(sizeof(PipeHeader), 48u);
}

TEST(PipeMessage, DatagramLimitsHoldTheHeader)
{
    EXPECT_EQ(kMaxChunkPayload + sizeof(PipeHeader), kMaxDatagramBytes);
    EXPECT_LT(kSmallChunkPayload + sizeof(PipeHeader), kMaxDatagramBytes);
    EXPECT_GE(static_cast<size_t>(kPipeBufferBytes), kMaxDatagramBytes);
}

}  // namespace
}  // namespace rscope::ipc
