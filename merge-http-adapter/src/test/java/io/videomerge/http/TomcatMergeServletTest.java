package io.videomerge.http;

import org.junit.jupiter.api.DisplayName;

@DisplayName("MergeServlet in embedded Tomcat 11")
class TomcatMergeServletTest extends MergeServletContract {
    @Override
    ServletContainer newContainer() {
        return new TomcatContainer();
    }
}
