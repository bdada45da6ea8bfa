# Sourced by the trace benchmarks: start and stop `rscope server` (echo, 4 workers, 2 reactor
# threads) with extra arguments. Needs $bin and $out.
start_server() {  # args...; sets pid, port, tport
  $bin --log-level warn server --port 0 --handler echo --worker-num 4 --reactor-num 2 "$@" \
    >"$out/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 200); do grep -q "listening on" "$out/server.log" && break; sleep 0.05; done
  port=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\) .*/\1/p' "$out/server.log" | head -1)
  tport=$(sed -n 's/.*trace 127.0.0.1:\([0-9]*\)).*/\1/p' "$out/server.log" | head -1)
  sleep 0.3
}
stop_server() { kill -TERM "$pid"; wait "$pid" || true; }
