// hopCaption: one sentence template per event kind (English and Chinese), filled from the event.
#include "viewer/model/hop_caption.h"

#include <string_view>

#include "viewer/model/trace_store.h"

namespace rscope::viewer
{

namespace
{

struct Template
{
    const char* en;
    const char* zh;
};

// {actor} is the emitting thread ("main reactor" for the master's main thread), {worker} and
// {reactor} the ids the event names, {bytes} its size, {type} the pipe message, {callback},
// {cause}, {kind} the kind's table entry, {fn} its swoole function (eventFn).
Template templateFor(const Event& e)
{
    switch (e.kind)
    {
        case EventKind::Accept:
            return {"{actor} accepted a connection: session {session}, fd {fd}",
                    "{actor} 接受了一个连接：会话 {session}，fd {fd}"};
        case EventKind::ReactorAssign:
            return {"{actor} gives fd {fd} to reactor[{reactor}] (fd % reactor_num)",
                    "{actor} 把 fd {fd} 分给 reactor[{reactor}]（fd % reactor_num）"};
        case EventKind::ReactorRegister:
            return {"{actor} added fd {fd} (session {session}) to its epoll",
                    "{actor} 把 fd {fd}（会话 {session}）加入自己的 epoll"};
        case EventKind::ConnectNotify:
            return {"{actor} tells worker[{worker}] about the new connection (CONNECT)",
                    "{actor} 通知 worker[{worker}] 有新连接（CONNECT）"};
        case EventKind::Read:
            return {"{actor} read {bytes} from session {session}",
                    "{actor} 从会话 {session} 读到 {bytes}"};
        case EventKind::Frame:
            return {"{actor} cut a whole packet of {bytes} from session {session}",
                    "{actor} 从会话 {session} 切出一个完整的数据包（{bytes}）"};
        case EventKind::FrameError:
            return {"{actor} rejected session {session}'s packet: {cause}",
                    "{actor} 拒绝了会话 {session} 的数据包：{cause}"};
        case EventKind::Dispatch:
            return {"{actor} chose worker[{worker}] for session {session}'s {type}",
                    "{actor} 为会话 {session} 的 {type} 选中 worker[{worker}]"};
        case EventKind::PipeWrite:
            switch (e.direction)
            {
                case Direction::ToWorker:
                    return {"{actor} put {type} ({bytes}) into worker[{worker}]'s pipe",
                            "{actor} 把 {type}（{bytes}）放进 worker[{worker}] 的管道"};
                case Direction::ToReactor:
                    return {"{actor} put {type} ({bytes}) into the pipe back to reactor[{reactor}]",
                            "{actor} 把 {type}（{bytes}）放进回 reactor[{reactor}] 的管道"};
                case Direction::ToWorkerForward:
                    // The same pipe end carries a task's result and a user's message.
                    if (e.pipeType == PipeType::Finish)
                        return {
                            "{actor} sent the task's result ({bytes}) back to worker[{worker}] "
                            "(finish)",
                            "{actor} 把任务结果（{bytes}）发回 worker[{worker}]（finish）"};
                    if (e.pipeType == PipeType::PipeMessage)
                        return {
                            "{actor} sent a message ({bytes}) to worker[{worker}] (sendMessage)",
                            "{actor} 给 worker[{worker}] 发了一条消息（{bytes}，sendMessage）"};
                    return {"{actor} forwarded {type} ({bytes}) to worker[{worker}]",
                            "{actor} 把 {type}（{bytes}）转给 worker[{worker}]"};
                case Direction::ToTaskWorker:
                    if (e.pipeType == PipeType::PipeMessage)
                        return {
                            "{actor} sent a message ({bytes}) to task_worker[{worker}] "
                            "(sendMessage)",
                            "{actor} 给 task_worker[{worker}] "
                            "发了一条消息（{bytes}，sendMessage）"};
                    return {"{actor} put a task ({bytes}) into task_worker[{worker}]'s pipe",
                            "{actor} 把一个任务（{bytes}）放进 task_worker[{worker}] 的管道"};
                case Direction::ToReactorThread:
                    return {"{actor} handed fd {fd} to reactor[{reactor}]",
                            "{actor} 把 fd {fd} 交给 reactor[{reactor}]"};
                default:
                    break;
            }
            break;
        case EventKind::PipeFull:
            return {"{actor}: the pipe is full; {queued} wait in its queue",
                    "{actor}：管道满了，{queued} 在队列里等待"};
        case EventKind::PipeDrain:
            return {"{actor}: the pipe's queue is empty again", "{actor}：管道的队列清空了"};
        case EventKind::WorkerReceive:
            return {"{actor} took {type} ({bytes}) from its pipe",
                    "{actor} 从管道取出 {type}（{bytes}）"};
        case EventKind::CallbackEnter:
            return {"{actor} runs {callback} for session {session}",
                    "{actor} 为会话 {session} 运行 {callback}"};
        case EventKind::CallbackExit:
            return {"{actor}: {callback} returned", "{actor}：{callback} 返回了"};
        case EventKind::SendRequest:
            return {"{actor} sends {bytes} to session {session} ($server->send)",
                    "{actor} 向会话 {session} 发送 {bytes}（$server->send）"};
        case EventKind::ReactorWrite:
            return {"{actor} wrote {bytes} into session {session}'s socket",
                    "{actor} 把 {bytes} 写进会话 {session} 的 socket"};
        case EventKind::BufferFull:
            return {
                "{actor}: session {session}'s output buffer reached its limit ({bytes}): "
                "send() to it fails until it is empty",
                "{actor}：会话 {session} 的输出缓冲区达到了上限（{bytes}）：在清空之前，"
                "对它的 send() 都会失败"};
        case EventKind::BufferDrain:
            return {"{actor}: session {session}'s output buffer is empty again: send() works",
                    "{actor}：会话 {session} 的输出缓冲区清空了：send() 又可以用了"};
        case EventKind::CloseRequest:
            return {"{actor} asks to close session {session} ($server->close)",
                    "{actor} 请求关闭会话 {session}（$server->close）"};
        case EventKind::PeerClose:
            return {"session {session}'s client closed the connection ({actor} saw it)",
                    "会话 {session} 的客户端关闭了连接（{actor} 发现的）"};
        case EventKind::CloseNotify:
            return {"{actor} tells worker[{worker}] that session {session} closed",
                    "{actor} 通知 worker[{worker}]：会话 {session} 已关闭"};
        case EventKind::Close:
            return {"{actor} closed fd {fd} (session {session})",
                    "{actor} 关闭了 fd {fd}（会话 {session}）"};
        case EventKind::Discard:
            return {"{actor} dropped a message for session {session}: {cause}",
                    "{actor} 丢弃了发给会话 {session} 的消息：{cause}"};
        case EventKind::WorkerStart:
            return {"{actor} started", "{actor} 启动了"};
        case EventKind::WorkerExit:
            return {"{actor} exits ({cause})", "{actor} 退出（{cause}）"};
        case EventKind::WorkerRestart:
            return {"{actor} started a new worker[{worker}]",
                    "{actor} 启动了新的 worker[{worker}]"};
        case EventKind::TaskWorkerRestart:
            return {"{actor} started a new task_worker[{worker}]",
                    "{actor} 启动了新的 task_worker[{worker}]"};
        case EventKind::TaskDispatch:
            return {"{actor} called task() for session {session}: task_worker[{worker}] takes it",
                    "{actor} 为会话 {session} 调用 task()：交给 task_worker[{worker}]"};
        case EventKind::TaskFinish:
            return {"{actor} called finish(): the result ({bytes}) goes back to worker[{worker}]",
                    "{actor} 调用 finish()：结果（{bytes}）发回 worker[{worker}]"};
        default:
            break;
    }
    return {"{actor}: {kind} ({fn})", "{actor}：{kind}（{fn}）"};
}

std::string actorText(const TraceStore& store, const Event& e, CaptionLang lang)
{
    if (e.actor >= store.actors().size()) return "?";
    const Actor& a = store.actorOf(e);
    if (a.role == Role::Master) return lang == CaptionLang::Zh ? "主 reactor" : "main reactor";
    return a.name.empty() ? roleName(a.role) : a.name;
}

std::string bytesText(int32_t bytes)
{
    return bytes < 0 ? std::string("?") : std::to_string(bytes) + " B";
}

std::string value(const TraceStore& store, const Event& e, std::string_view key, CaptionLang lang)
{
    if (key == "actor") return actorText(store, e, lang);
    if (key == "worker") return std::to_string(e.worker);
    if (key == "reactor") return std::to_string(e.reactor);
    if (key == "session") return std::to_string(e.session);
    if (key == "fd") return std::to_string(e.fd);
    if (key == "bytes") return bytesText(e.bytes);  // buffer_full: the watermark (the limit)
    if (key == "queued") return bytesText(e.queued);
    if (key == "type")
    {
        const char* t = pipeTypeLabel(e.pipeType);
        return *t != '\0' ? t : "a message";
    }
    if (key == "callback") return callbackLabel(e.callback);
    if (key == "cause") return trace::causeName(e.cause);
    if (key == "kind") return trace::kindInfo(e.kind).name;
    if (key == "fn") return eventFn(e);
    return std::string(key);
}

}  // namespace

std::string hopCaption(const TraceStore& store, size_t index, CaptionLang lang)
{
    if (index >= store.size()) return {};
    const Event& e = store[index];
    if (e.kind >= EventKind::Count) return {};
    Template t = templateFor(e);
    std::string_view text = lang == CaptionLang::Zh ? t.zh : t.en;
    std::string out;
    while (!text.empty())
    {
        size_t open = text.find('{');
        size_t close = open == std::string_view::npos ? open : text.find('}', open);
        if (close == std::string_view::npos)
        {
            out.append(text);
            break;
        }
        out.append(text.substr(0, open));
        out += value(store, e, text.substr(open + 1, close - open - 1), lang);
        text.remove_prefix(close + 1);
    }
    return out;
}

}  // namespace rscope::viewer
