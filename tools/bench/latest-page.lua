-- The latest page of a random group of 1,000,000 from one app through the gateway: wrk ... -- fastify
local prefix = "fastify"
function init(args)
  if args[1] ~= nil then prefix = args[1] end
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end
request = function()
  return wrk.format("GET", "/" .. prefix .. "/groups/" .. math.random(1, 1000000) .. "/messages")
end
