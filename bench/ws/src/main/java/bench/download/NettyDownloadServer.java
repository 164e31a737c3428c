package bench.download;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.stream.ChunkedNioFile;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.util.NettyRuntime;

/**
 * The reference of the download benchmark: Netty 4.2 serving one file on {@code GET /file} with
 * {@code Content-Length} and keep-alive, either as a {@link DefaultFileRegion} (zero copy:
 * {@code sendfile} on epoll, {@code FileChannel.transferTo} on NIO) or through
 * {@link ChunkedWriteHandler} and {@link ChunkedNioFile} (read into buffers, then written).
 *
 * <pre>java -cp bench-ws.jar bench.download.NettyDownloadServer --file PATH --transport nio|epoll
 *     --mode region|chunked [--host 127.0.0.1] [--port 9311] [--threads N] [--chunk-size 8192]</pre>
 */
public final class NettyDownloadServer {

	public static void main(String[] args) throws InterruptedException {
		String transport = "nio";
		String mode = "region";
		String host = "127.0.0.1";
		int port = 9311;
		int threads = 0;
		int chunkSize = 8192; // ChunkedNioFile's default, as in Netty's static file server example
		Path file = null;
		for (int i = 0; i + 1 < args.length; i += 2) {
			switch (args[i]) {
				case "--transport" -> transport = args[i + 1];
				case "--mode" -> mode = args[i + 1];
				case "--host" -> host = args[i + 1];
				case "--port" -> port = Integer.parseInt(args[i + 1]);
				case "--threads" -> threads = Integer.parseInt(args[i + 1]);
				case "--chunk-size" -> chunkSize = Integer.parseInt(args[i + 1]);
				case "--file" -> file = Path.of(args[i + 1]);
				default -> throw new IllegalArgumentException("unknown option " + args[i]);
			}
		}
		if (file == null || !Files.isRegularFile(file)) {
			throw new IllegalArgumentException("--file must name a regular file, not " + file);
		}
		boolean epoll = switch (transport) {
			case "nio" -> false;
			case "epoll" -> true;
			default -> throw new IllegalArgumentException("--transport nio|epoll, not " + transport);
		};
		boolean chunked = switch (mode) {
			case "region" -> false;
			case "chunked" -> true;
			default -> throw new IllegalArgumentException("--mode region|chunked, not " + mode);
		};
		if (epoll && !Epoll.isAvailable()) {
			System.err.println("native epoll transport unavailable: " + Epoll.unavailabilityCause());
			System.exit(3);
		}
		IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
		Class<? extends ServerChannel> channelClass = epoll ? EpollServerSocketChannel.class
				: NioServerSocketChannel.class;
		int workers = (threads > 0) ? threads : NettyRuntime.availableProcessors();
		FileHandler handler = new FileHandler(file, chunked, chunkSize);
		EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, factory);
		EventLoopGroup group = new MultiThreadIoEventLoopGroup(workers, factory);
		try {
			ServerBootstrap bootstrap = new ServerBootstrap().group(boss, group)
				.channel(channelClass)
				.option(ChannelOption.SO_BACKLOG, 1024)
				.option(ChannelOption.SO_REUSEADDR, true)
				.childOption(ChannelOption.TCP_NODELAY, true)
				.childHandler(new ChannelInitializer<SocketChannel>() {
					@Override
					protected void initChannel(SocketChannel channel) {
						ChannelPipeline pipeline = channel.pipeline();
						pipeline.addLast(new HttpServerCodec(), new HttpObjectAggregator(8192));
						if (chunked) {
							pipeline.addLast(new ChunkedWriteHandler());
						}
						pipeline.addLast(handler);
					}
				});
			Channel channel = bootstrap.bind(host, port).sync().channel();
			System.out.printf("netty-download transport=%s mode=%s workers=%d file=%s (%d bytes) listening on %s%n",
					transport, mode, workers, file, Files.size(file), channel.localAddress());
			channel.closeFuture().sync();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		finally {
			boss.shutdownGracefully();
			group.shutdownGracefully();
		}
	}

	/** {@code GET /file}: the file, opened per request and closed once sent; anything else 404. */
	@ChannelHandler.Sharable
	static final class FileHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

		private final Path file;

		private final boolean chunked;

		private final int chunkSize;

		FileHandler(Path file, boolean chunked, int chunkSize) {
			this.file = file;
			this.chunked = chunked;
			this.chunkSize = chunkSize;
		}

		@Override
		protected void channelRead0(ChannelHandlerContext context, FullHttpRequest request) throws IOException {
			boolean keepAlive = HttpUtil.isKeepAlive(request);
			String path = request.uri();
			int query = path.indexOf('?');
			if (query >= 0) {
				path = path.substring(0, query);
			}
			if (!HttpMethod.GET.equals(request.method()) || !"/file".equals(path)) {
				DefaultFullHttpResponse notFound = new DefaultFullHttpResponse(request.protocolVersion(),
						HttpResponseStatus.NOT_FOUND, Unpooled.EMPTY_BUFFER);
				notFound.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
				finish(context.writeAndFlush(notFound), keepAlive);
				return;
			}
			FileChannel channel = FileChannel.open(this.file, StandardOpenOption.READ);
			long length = channel.size();
			HttpResponse response = new DefaultHttpResponse(request.protocolVersion(), HttpResponseStatus.OK);
			response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM);
			HttpUtil.setContentLength(response, length);
			context.write(response);
			ChannelFuture last;
			if (this.chunked) {
				// HttpChunkedInput ends with LastHttpContent; ChunkedNioFile closes the channel at its end.
				last = context.writeAndFlush(new HttpChunkedInput(new ChunkedNioFile(channel, 0, length, this.chunkSize)));
			}
			else {
				// The region releases (closes) the channel once written.
				context.write(new DefaultFileRegion(channel, 0, length));
				last = context.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
			}
			finish(last, keepAlive);
		}

		private static void finish(ChannelFuture future, boolean keepAlive) {
			if (!keepAlive) {
				future.addListener(ChannelFutureListener.CLOSE);
			}
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
			context.close();
		}

	}

}
