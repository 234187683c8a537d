-- Posts each pre-built document exactly once (a document carries a single-use security token).
-- Documents are read from CHIPLA_BENCH_DOCS, separated by a form feed; thread i takes every
-- n-th document starting at i, so no two threads send the same one.
local docs, counter, threads = {}, 0, {}
local index, step, next_doc = 0, 1, 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local f = assert(io.open(os.getenv("CHIPLA_BENCH_DOCS"), "rb"))
  local all = f:read("*a")
  f:close()
  for doc in string.gmatch(all, "([^\012]+)") do table.insert(docs, doc) end
  step = tonumber(os.getenv("CHIPLA_BENCH_THREADS"))
  next_doc = tid + 1
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "text/xml; charset=utf-8"
end

function request()
  local doc = docs[next_doc]
  if doc == nil then doc = docs[#docs] end  -- out of documents: the replay is refused and counted
  next_doc = next_doc + step
  return wrk.format(nil, nil, nil, doc)
end
