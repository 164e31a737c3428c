package io.github.tcpserver.actuate;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import io.github.tcpserver.protocol.chat.redis.RedisChatRoom;

/**
 * The meters of the chat room shared through Redis ({@code chat.cluster.*}): whether Redis is
 * reachable, outages, members and instances, and every counted outcome (refused messages, dropped
 * events, dead instances reaped, slow members disconnected). They read counters the room keeps.
 */
public class ChatRoomMetricsBinder implements MeterBinder {

	private final RedisChatRoom room;

	public ChatRoomMetricsBinder(RedisChatRoom room) {
		this.room = room;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		Gauge.builder("chat.cluster.redis.up", this.room, (room) -> (room.state() == RedisChatRoom.State.UP) ? 1 : 0)
			.description("1 while the chat room is connected to Redis, 0 while logins and messages are refused")
			.register(registry);
		Gauge.builder("chat.cluster.members", this.room, RedisChatRoom::size)
			.description("Members of the room on every instance")
			.register(registry);
		Gauge.builder("chat.cluster.instances", this.room, (room) -> room.membersByInstance().size())
			.description("Instances of the room seen")
			.register(registry);
		FunctionCounter.builder("chat.cluster.redis.outages", this.room, RedisChatRoom::redisOutages)
			.description("Times the chat room lost its connection to Redis")
			.register(registry);
		FunctionCounter.builder("chat.cluster.redis.resubscriptions", this.room, RedisChatRoom::resubscriptions)
			.description("Times the Redis subscription was cut and subscribed again, events in between lost")
			.register(registry);
		FunctionCounter.builder("chat.cluster.messages.refused", this.room, RedisChatRoom::refusedMessages)
			.description("Messages refused because Redis was unreachable or too many events were queued")
			.register(registry);
		FunctionCounter.builder("chat.cluster.events.dropped", this.room, RedisChatRoom::droppedEvents)
			.description("Room events dropped because this instance fell behind the Redis channel")
			.register(registry);
		FunctionCounter.builder("chat.cluster.instances.reaped", this.room, RedisChatRoom::reapedInstances)
			.description("Dead instances whose members this instance announced as left")
			.register(registry);
		FunctionCounter.builder("chat.slow.disconnects", this.room, RedisChatRoom::slowMemberDisconnects)
			.description("Members disconnected for not reading their messages")
			.register(registry);
	}

}
