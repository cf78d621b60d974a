package io.videomerge.server;

import static java.util.Objects.requireNonNull;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.OutputStream;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * merge-server's logging, configured in code: every line to standard error at INFO, as text or as one JSON object
 * per line ({@code --log-format}). A logback file named with {@code -Dlogback.configurationFile} replaces all of it.
 */
final class ServerLogging {
    /** How lines are written. */
    enum Format {
        /** {@code 2026-01-02T10:00:00.123Z INFO  [thread] logger [task_id=…, principal=…, attempt=…] - message}. */
        TEXT,
        /**
         * One JSON object per line, by logback's {@link JsonEncoder}: {@code timestamp} (epoch milliseconds),
         * {@code level}, {@code threadName}, {@code loggerName}, {@code mdc} (an object), {@code formattedMessage},
         * and {@code exception} (the stack trace as one string) when there is one.
         */
        JSON;

        /**
         * The format named {@code text} or {@code json}.
         *
         * @throws IllegalArgumentException for any other name
         */
        static Format parse(String name) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "text", "" -> TEXT;
                case "json" -> JSON;
                default -> throw new IllegalArgumentException("log-format must be text or json: " + name);
            };
        }
    }

    private static final String CONFIGURATION_FILE = "logback.configurationFile";
    private static final String TEXT_PATTERN =
            "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX, UTC} %-5level [%thread] %logger{36}%replace( [%mdc]){' \\[\\]', ''} -"
                    + " %msg%n";

    private ServerLogging() {}

    /** Writes every line from now on to standard error in {@code format}, unless a logback file was named. */
    static void configure(Format format) {
        if (System.getProperty(CONFIGURATION_FILE) == null) {
            install(context(), format, null);
        }
    }

    /** Writes every line from now on to {@code out} in {@code format} (tests read the lines back). */
    static void configure(Format format, OutputStream out) {
        install(context(), format, requireNonNull(out, "out"));
    }

    private static LoggerContext context() {
        return (LoggerContext) LoggerFactory.getILoggerFactory();
    }

    /** Replaces the context's configuration: one appender on the root logger at INFO; {@code out} null: stderr. */
    private static void install(LoggerContext context, Format format, OutputStream out) {
        context.reset();
        Encoder<ILoggingEvent> encoder = format == Format.JSON ? json(context) : text(context);
        OutputStreamAppender<ILoggingEvent> appender;
        if (out == null) {
            ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
            console.setTarget("System.err");
            appender = console;
        } else {
            appender = new OutputStreamAppender<>();
            appender.setOutputStream(out);
        }
        appender.setContext(context);
        appender.setName(format.name().toLowerCase(Locale.ROOT));
        appender.setEncoder(encoder);
        appender.start();
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(appender);
    }

    private static Encoder<ILoggingEvent> text(LoggerContext context) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(TEXT_PATTERN + "%ex");
        encoder.start();
        return encoder;
    }

    private static Encoder<ILoggingEvent> json(LoggerContext context) {
        JsonEncoder encoder = new ExceptionAsText();
        encoder.setContext(context);
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.setWithContext(false);
        // The message once, with its arguments in place; the raw pattern and arguments are left out.
        encoder.setWithMessage(false);
        encoder.setWithArguments(false);
        encoder.setWithFormattedMessage(true);
        encoder.setWithThrowable(false);
        encoder.start();
        return encoder;
    }

    /**
     * Logback's JSON lines with the exception as one string (the text a stack trace reads as), which log stores
     * search and show as it is, instead of an object per frame.
     */
    private static final class ExceptionAsText extends JsonEncoder {
        @Override
        protected void appendCustomFields(StringBuilder line, ILoggingEvent event) {
            IThrowableProxy thrown = event.getThrowableProxy();
            if (thrown != null) {
                line.append(",\"exception\":\"")
                        .append(JsonStringEncoder.getInstance().quoteAsString(ThrowableProxyUtil.asString(thrown)))
                        .append('"');
            }
        }
    }

    /**
     * What logback runs when the JVM first logs (registered as a service): the text format on standard error, so
     * that lines before {@link #configure} (and those of a merge's child process) look like the rest.
     */
    public static final class Defaults extends ContextAwareBase implements Configurator {
        @Override
        public ExecutionStatus configure(LoggerContext context) {
            if (System.getProperty(CONFIGURATION_FILE) != null) {
                return ExecutionStatus.INVOKE_NEXT_IF_ANY;
            }
            install(context, Format.TEXT, null);
            return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
        }
    }
}
