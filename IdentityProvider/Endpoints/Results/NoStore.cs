namespace Reference.IdentityProvider.Endpoints.Results;

internal static class NoStore
{
    /// <summary>RFC 6749 §5.1: token responses, and their errors, must not be cached.</summary>
    public static void Apply(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
    }
}
