// ServerConfig validation: the model's ranges, and the trace socket's loopback guard.
#include "engine/server/server_config.h"

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

TEST(ServerConfig, StepModeNeedsATraceSocket)
{
    ServerConfig c = valid();
    c.traceStep = true;
    c.traceListen = "off";
    EXPECT_NE(c.validate().find("trace_step needs a trace socket"), std::string::npos);
}

}  // namespace
}  // namespace rscope::server
