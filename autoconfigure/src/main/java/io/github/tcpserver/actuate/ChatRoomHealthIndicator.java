package io.github.tcpserver.actuate;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

import io.github.tcpserver.protocol.chat.redis.RedisChatRoom;

/**
 * Health of the chat room shared through Redis ({@code chatRoom}): UP while connected and
 * subscribed, DOWN (with the last error) while Redis is unreachable and logins are refused, UNKNOWN
 * before the first connection, OUT_OF_SERVICE once stopped.
 */
public class ChatRoomHealthIndicator implements HealthIndicator {

	private final RedisChatRoom room;

	public ChatRoomHealthIndicator(RedisChatRoom room) {
		this.room = room;
	}

	@Override
	public Health health() {
		RedisChatRoom.State state = this.room.state();
		Health.Builder builder = switch (state) {
			case UP -> Health.up();
			case DOWN -> Health.down();
			case STARTING -> Health.unknown();
			case STOPPED -> Health.outOfService();
		};
		builder.withDetail("instance", this.room.instanceId())
			.withDetail("state", state.name())
			.withDetail("instances", this.room.membersByInstance().size())
			.withDetail("members", this.room.size())
			.withDetail("redisOutages", this.room.redisOutages());
		String error = this.room.lastError();
		if (error != null) {
			builder.withDetail("lastError", error);
		}
		return builder.build();
	}

}
