-- get.lua: TEMPORARY placeholder, being written.
return redis.error_reply('not implemented')
