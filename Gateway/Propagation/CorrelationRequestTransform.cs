using System.Diagnostics;
using Reference.Gateway.Authentication;
using Yarp.ReverseProxy.Transforms;

namespace Reference.Gateway.Propagation;

/// <summary>
/// Every proxied request carries exactly one well-formed <c>X-Request-Id</c> and <c>X-Correlation-Id</c>: the
/// client's when well-formed (1-128 characters of letters, digits and <c>-_.:</c>), else generated (the request id
/// from the trace; the correlation id defaults to the request id). Both are set as tags on the current span.
/// </summary>
internal sealed class CorrelationRequestTransform : RequestTransform
{
    public const string CorrelationIdHeader = "X-Correlation-Id";

    public const string RequestIdTag = "gateway.request_id";

    public const string CorrelationIdTag = "gateway.correlation_id";

    public static CorrelationRequestTransform Instance { get; } = new();

    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (requestId, correlationId) = Get(context.HttpContext);
        var headers = context.ProxyRequest.Headers;
        headers.Remove(RequestId.HeaderName);
        headers.Remove(CorrelationIdHeader);
        headers.TryAddWithoutValidation(RequestId.HeaderName, requestId);
        headers.TryAddWithoutValidation(CorrelationIdHeader, correlationId);
        var activity = Activity.Current;
        activity?.SetTag(RequestIdTag, requestId);
        activity?.SetTag(CorrelationIdTag, correlationId);
        return ValueTask.CompletedTask;
    }

    /// <summary>The request id and correlation id of the request.</summary>
    public static (string RequestId, string CorrelationId) Get(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var requestId = RequestId.Get(context);
        var inbound = context.Request.Headers[CorrelationIdHeader];
        var correlationId = inbound.Count == 1 && RequestId.IsWellFormed(inbound[0]) ? inbound[0]! : requestId;
        return (requestId, correlationId);
    }
}
