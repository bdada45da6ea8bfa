// ServerConfig validation: the model's ranges (heartbeat bound included), and the trace socket's
// loopback guard.
#include "engine/server/server_config.h"

#include <string>

#include <climits>
#include <gtest/gtest.h>

namespace rscope::server
{
namespace
{

ServerConfig valid()
{
    ServerConfig c;
    c.applyDefaults();
    return c;
}

TEST(ServerConfig, DefaultsAreValid)
{
    EXPECT_EQ(valid().validate(), "");
}

TEST(ServerConfig, TraceSocketOnLoopbackOrUnixIsAccepted)
{
    for (const char* listen :
         {"127.0.0.1:9600", "127.0.0.9:0", "localhost:9600", "unix:/tmp/x.sock", "off"})
    {
        ServerConfig c = valid();
        c.traceListen = listen;
        EXPECT_TRUE(c.traceListenIsLocal()) << listen;
        EXPECT_EQ(c.validate(), "") << listen;
    }
}

TEST(ServerConfig, TraceSocketOnAnyOtherAddressNeedsAllowRemote)
{
    for (const char* listen : {"0.0.0.0:9600", "10.1.2.3:9600", "192.168.0.1:1"})
    {
        ServerConfig c = valid();
        c.traceListen = listen;
        EXPECT_FALSE(c.traceListenIsLocal()) << listen;
        std::string bad = c.validate();
        EXPECT_NE(bad.find("not a loopback address"), std::string::npos) << bad;
        EXPECT_NE(bad.find("--trace-allow-remote"), std::string::npos) << bad;
        c.traceAllowRemote = true;
        EXPECT_EQ(c.validate(), "") << listen;
    }
}

// Seconds become a timer's milliseconds in an int (seconds * 1000): a week at most.
TEST(ServerConfig, HeartbeatSettingsAreBoundedToAWeek)
{
    constexpr int kWeekS = 7 * 24 * 3600;
    ServerConfig c;
    c.heartbeatIdleTimeS = kWeekS;
    c.heartbeatCheckIntervalS = kWeekS;
    c.applyDefaults();
    EXPECT_EQ(c.validate(), "");

    c.heartbeatCheckIntervalS = kWeekS + 1;
    EXPECT_EQ(c.validate(), "heartbeat_check_interval must be between 0 (off) and 604800 seconds");
    c.heartbeatCheckIntervalS = -1;
    EXPECT_EQ(c.validate(), "heartbeat_check_interval must be between 0 (off) and 604800 seconds");
    c.heartbeatCheckIntervalS = kWeekS;
    c.heartbeatIdleTimeS = kWeekS + 1;
    EXPECT_EQ(c.validate(), "heartbeat_idle_time must be between 0 (off) and 604800 seconds");
    c.heartbeatIdleTimeS = -1;
    EXPECT_EQ(c.validate(), "heartbeat_idle_time must be between 0 (off) and 604800 seconds");
}

// One setting alone fills the other (idle = 2 x interval); the largest int must not overflow
// on the way to its error.
TEST(ServerConfig, HugeHeartbeatIntervalIsRefusedNotOverflowed)
{
    ServerConfig c;
    c.heartbeatCheckIntervalS = INT_MAX;
    c.applyDefaults();
    EXPECT_EQ(c.heartbeatIdleTimeS, INT_MAX);
    EXPECT_NE(c.validate().find("heartbeat_check_interval must be between"), std::string::npos);

    ServerConfig idleOnly;
    idleOnly.heartbeatIdleTimeS = INT_MAX;
    idleOnly.applyDefaults();
    EXPECT_NE(idleOnly.validate().find("heartbeat_check_interval must be between"),
              std::string::npos);  // INT_MAX / 2: the interval is checked first
}

TEST(ServerConfig, StepModeNeedsATraceSocket)
{
    ServerConfig c = valid();
    c.traceStep = true;
    c.traceListen = "off";
    EXPECT_NE(c.validate().find("trace_step needs a trace socket"), std::string::npos);
}

}  // namespace
}  // namespace rscope::server
