package io.videomerge.http;

import org.junit.jupiter.api.DisplayName;

@DisplayName("MergeServlet in embedded Jetty 12")
class JettyMergeServletTest extends MergeServletContract {
    @Override
    ServletContainer newContainer() {
        return new JettyContainer();
    }
}
