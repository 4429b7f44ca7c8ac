from django.http import HttpResponse


def opd_compliance(request):
    return HttpResponse("opd")
