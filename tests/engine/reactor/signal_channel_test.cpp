// SignalChannel: blocked signals reach the callback with number and sender (this thread, another
// thread, another process); several at once; a standard signal raised twice arrives once; signals
// outside the set stay pending. The fixture blocks SIGUSR1/SIGUSR2 and drains them afterwards.
#include "engine/reactor/signal_channel.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "engine/reactor/event_loop.h"
#include "engine/reactor/timer.h"

namespace rscope::reactor
{
namespace
{

struct Received
{
    int signo;
    int senderPid;
};

class SignalChannelTest : public ::testing::Test
{
  protected:
    void SetUp() override
    {
        sigset_t set = testSignals();
        ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &set, &savedMask_), 0);
    }

    void TearDown() override
    {
        // Take whatever is still pending before unblocking: its default action would kill us.
        sigset_t set = testSignals();
        timespec zero{};
        for (int i = 0; i < 8 && ::sigtimedwait(&set, nullptr, &zero) > 0; ++i)
        {
        }
        ::pthread_sigmask(SIG_SETMASK, &savedMask_, nullptr);
    }

    static sigset_t testSignals()
    {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGUSR1);
        sigaddset(&set, SIGUSR2);
        return set;
    }

    static bool isPending(int signo)
    {
        sigset_t pending;
        sigpending(&pending);
        return sigismember(&pending, signo) == 1;
    }

    // Quits the loop after timeoutMs; ending there means a signal never came.
    void runBounded(int64_t timeoutMs)
    {
        PeriodicTimer deadline(&loop_, timeoutMs,
                               [this]
                               {
                                   deadlineExpired_ = true;
                                   loop_.quit();
                               });
        loop_.loop();
    }

    sigset_t savedMask_;
    EventLoop loop_;
    std::vector<Received> received_;
    bool deadlineExpired_ = false;
};

TEST_F(SignalChannelTest, RaisedSignalReachesTheCallbackWithItsSender)
{
    SignalChannel signals(&loop_, {SIGUSR1},
                          [this](int signo, int senderPid)
                          {
                              received_.push_back({signo, senderPid});
                              loop_.quit();
                          });
    ASSERT_EQ(::raise(SIGUSR1), 0);
    runBounded(2000);
    EXPECT_FALSE(deadlineExpired_);
    ASSERT_EQ(received_.size(), 1u);
    EXPECT_EQ(received_[0].signo, SIGUSR1);
    EXPECT_EQ(received_[0].senderPid, ::getpid());
}

TEST_F(SignalChannelTest, SeveralSignalsPendingTogetherEachReachTheCallback)
{
    SignalChannel signals(&loop_, {SIGUSR1, SIGUSR2},
                          [this](int signo, int senderPid)
                          {
                              received_.push_back({signo, senderPid});
                              if (received_.size() == 2) loop_.quit();
                          });
    ASSERT_EQ(::kill(::getpid(), SIGUSR2), 0);
    ASSERT_EQ(::kill(::getpid(), SIGUSR1), 0);
    runBounded(2000);
    EXPECT_FALSE(deadlineExpired_);
    ASSERT_EQ(received_.size(), 2u);
    bool usr1 = received_[0].signo == SIGUSR1 || received_[1].signo == SIGUSR1;
    bool usr2 = received_[0].signo == SIGUSR2 || received_[1].signo == SIGUSR2;
    EXPECT_TRUE(usr1 && usr2);
}

// Standard signals do not queue: the manager must reap with waitpid until 0, not once per
// SIGCHLD (model: "Reap with waitpid(-1, WNOHANG) until it returns 0").
TEST_F(SignalChannelTest, SignalRaisedTwiceBeforeTheReadArrivesOnce)
{
    SignalChannel signals(&loop_, {SIGUSR1},
                          [this](int signo, int senderPid) {
                              received_.push_back({signo, senderPid});
                          });
    ASSERT_EQ(::raise(SIGUSR1), 0);
    ASSERT_EQ(::raise(SIGUSR1), 0);
    runBounded(100);  // long enough for a second delivery, were there one
    ASSERT_EQ(received_.size(), 1u);
    EXPECT_EQ(received_[0].signo, SIGUSR1);
}

TEST_F(SignalChannelTest, SignalFromAnotherThreadWakesTheWaitingLoop)
{
    SignalChannel signals(&loop_, {SIGUSR2},
                          [this](int signo, int senderPid)
                          {
                              received_.push_back({signo, senderPid});
                              loop_.quit();
                          });
    // Created after SetUp blocked the signals: the thread inherits the mask, as server threads do.
    std::thread sender(
        []
        {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            ::kill(::getpid(), SIGUSR2);
        });
    runBounded(2000);
    sender.join();
    EXPECT_FALSE(deadlineExpired_);
    ASSERT_EQ(received_.size(), 1u);
    EXPECT_EQ(received_[0].signo, SIGUSR2);
}

TEST_F(SignalChannelTest, SignalFromAnotherProcessNamesThatProcess)
{
    SignalChannel signals(&loop_, {SIGUSR1},
                          [this](int signo, int senderPid)
                          {
                              received_.push_back({signo, senderPid});
                              loop_.quit();
                          });
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0)
    {
        ::kill(::getppid(), SIGUSR1);
        ::_exit(0);
    }
    runBounded(2000);
    int status = 0;
    EXPECT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_FALSE(deadlineExpired_);
    ASSERT_EQ(received_.size(), 1u);
    EXPECT_EQ(received_[0].signo, SIGUSR1);
    EXPECT_EQ(received_[0].senderPid, child);
}

TEST_F(SignalChannelTest, SignalOutsideTheSetIsNotTakenAndStaysPending)
{
    SignalChannel signals(&loop_, {SIGUSR1},
                          [this](int signo, int senderPid)
                          {
                              received_.push_back({signo, senderPid});
                              loop_.quit();
                          });
    ASSERT_EQ(::raise(SIGUSR2), 0);
    ASSERT_EQ(::raise(SIGUSR1), 0);
    runBounded(2000);
    EXPECT_FALSE(deadlineExpired_);
    ASSERT_EQ(received_.size(), 1u);
    EXPECT_EQ(received_[0].signo, SIGUSR1);
    EXPECT_TRUE(isPending(SIGUSR2));  // TearDown takes it
    EXPECT_FALSE(isPending(SIGUSR1));
}

}  // namespace
}  // namespace rscope::reactor
