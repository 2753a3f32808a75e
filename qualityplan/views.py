from django.shortcuts import redirect


def home(request):
    return redirect("plan_list")


def plan_list(request):
    raise NotImplementedError


def plan_detail(request, pk):
    raise NotImplementedError
