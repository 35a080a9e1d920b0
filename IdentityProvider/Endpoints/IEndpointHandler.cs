namespace Reference.IdentityProvider.Endpoints;

/// <summary>One protocol endpoint. Each runs the same steps: start an Activity, check the request's shape,
/// authenticate, validate, build the response, return a typed result.</summary>
internal interface IEndpointHandler
{
    Task<IResult> ProcessAsync(HttpContext context);
}
